namespace Transcoder.Contracts.Webhooks;

/// <summary>The body of a webhook: the event ("job.completed", "job.failed", "job.canceled"), when it was sent, and the job as the API shows it.</summary>
public sealed record WebhookMessage(string Type, DateTimeOffset Timestamp, JobResponse Data);
