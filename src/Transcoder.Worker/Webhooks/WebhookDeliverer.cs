using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Contracts;
using Transcoder.Contracts.Webhooks;
using Transcoder.Media.Ingest;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Worker.Webhooks;

/// <summary>
/// Delivers the webhooks in the outbox: every silo claims due ones, POSTs each signed (Standard Webhooks) to
/// its URL, and records the outcome. A failed delivery is retried with exponential backoff and jitter until it
/// runs out of attempts; one whose URL resolves to a private address is refused before any connection is made,
/// and abandoned. Delivery is at least once: receivers dedupe on the webhook-id header.
/// </summary>
public sealed partial class WebhookDeliverer : BackgroundService
{
    private const int ClaimBatch = 16;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IWebhookOutbox _outbox;
    private readonly IJobRecordRepository _records;
    private readonly IObjectStore _store;
    private readonly WorkerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDeliverer> _logger;
    private readonly WebhookOptions _options;
    private readonly HttpClient _client;

    public WebhookDeliverer(IWebhookOutbox outbox, IJobRecordRepository records, IObjectStore store, WorkerMetrics metrics,
        IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDeliverer> logger)
    {
        _outbox = outbox;
        _records = records;
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _options = options.Value;
        // A receiver's redirect is a failed delivery, not an instruction to POST somewhere else.
        _client = new HttpClient(PublicAddressConnector.CreateHandler(_options.AllowedHosts, _options.Timeout)) { Timeout = _options.Timeout };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Transcoder.Orleans-Webhooks/1.0");
    }

    /// <summary>The lease of a claim: longer than one delivery can take.</summary>
    private TimeSpan Lease => (_options.Timeout * 2) + TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<WebhookDelivery> due;
            try
            {
                due = await _outbox.ClaimDueAsync(ClaimBatch, Lease, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ClaimFailed(_logger, ex);
                due = [];
            }

            if (due.Count == 0)
            {
                try
                {
                    await Task.Delay(PollInterval, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            await Task.WhenAll(due.Select(d => DeliverAsync(d, stoppingToken)));
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        using var scope = JobLogScope.Begin(_logger, delivery.JobId, delivery.Tenant);
        try
        {
            var (status, error, permanent) = await SendAsync(delivery, stoppingToken);
            if (error is null)
            {
                await _outbox.MarkDeliveredAsync(delivery.Id, status!.Value, CancellationToken.None);
                _metrics.WebhookAttempted("delivered");
                Delivered(_logger, delivery.Id, delivery.JobId, delivery.Tenant, status.Value);
            }
            else if (permanent || delivery.Attempts + 1 >= _options.MaxAttempts)
            {
                await _outbox.AbandonAsync(delivery.Id, status, error, CancellationToken.None);
                _metrics.WebhookAttempted("abandoned");
                Abandoned(_logger, delivery.Id, delivery.JobId, delivery.Tenant, delivery.Attempts + 1, error);
            }
            else
            {
                var next = _time.GetUtcNow() + RetryDelay(delivery.Attempts + 1);
                await _outbox.ScheduleRetryAsync(delivery.Id, next, status, error, CancellationToken.None);
                _metrics.WebhookAttempted("retried");
                WillRetry(_logger, delivery.Id, delivery.JobId, delivery.Tenant, error, next);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outbox could not be updated: the claim runs out and the delivery is made again.
            RecordFailed(_logger, delivery.Id, delivery.JobId, delivery.Tenant, ex);
        }
    }

    /// <summary>One POST: its status, and an error unless it succeeded (permanent if retrying cannot help).</summary>
    private async Task<(int? Status, string? Error, bool Permanent)> SendAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        var job = await _records.FindAsync(delivery.JobId, stoppingToken);
        if (job is null)
        {
            return (null, "The job no longer exists.", true);
        }

        // Checked again at delivery: the job may predate the rule, or the service's list may have changed since.
        if (!Uri.TryCreate(delivery.Url, UriKind.Absolute, out var url) || !_options.AllowsScheme(url))
        {
            return (null, WebhookOptions.HttpsRequired, true);
        }

        var now = _time.GetUtcNow();
        var body = JsonSerializer.SerializeToUtf8Bytes(new WebhookMessage(delivery.Event, now, JobResponses.From(job, _store.PublicUrl)), Json);
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignatures.IdHeader, delivery.Id);
        request.Headers.Add(WebhookSignatures.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignatures.SignatureHeader,
            WebhookSignatures.Sign(WebhookSignatures.TenantSecret(_options.SigningKey!, delivery.Tenant), delivery.Id, timestamp, body));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? (status, null, false)
                : (status, $"The receiver answered {status} {response.ReasonPhrase}.", response.StatusCode == System.Net.HttpStatusCode.Gone);
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refusal)
        {
            return (null, refusal.Message, true);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
        {
            return (null, ex is TaskCanceledException ? $"The receiver did not answer within {_options.Timeout.TotalSeconds:0} s." : ex.Message, false);
        }
    }

    private TimeSpan RetryDelay(int attemptsMade)
    {
        var delay = _options.FirstRetryDelay * Math.Pow(2, Math.Min(attemptsMade - 1, 30));
        var capped = delay < _options.MaxRetryDelay ? delay : _options.MaxRetryDelay;
        return capped * (1 + (Random.Shared.NextDouble() * 0.25));
    }

    private static InputFetchException? Refusal(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is InputFetchException { Kind: FetchErrorKind.Refused } refused)
            {
                return refused;
            }
        }

        return null;
    }

    [LoggerMessage(3301, LogLevel.Information, "Webhook {WebhookId} of job {JobId} (tenant {Tenant}) delivered: {Status}")]
    private static partial void Delivered(ILogger logger, string webhookId, Guid jobId, string tenant, int status);

    [LoggerMessage(3302, LogLevel.Warning, "Webhook {WebhookId} of job {JobId} (tenant {Tenant}) failed ({Error}); next attempt at {NextAttemptAt}")]
    private static partial void WillRetry(ILogger logger, string webhookId, Guid jobId, string tenant, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(3303, LogLevel.Error, "Webhook {WebhookId} of job {JobId} (tenant {Tenant}) abandoned after {Attempts} attempts: {Error}")]
    private static partial void Abandoned(ILogger logger, string webhookId, Guid jobId, string tenant, int attempts, string error);

    [LoggerMessage(3304, LogLevel.Error, "Could not record the outcome of webhook {WebhookId} of job {JobId} (tenant {Tenant}); it will be sent again")]
    private static partial void RecordFailed(ILogger logger, string webhookId, Guid jobId, string tenant, Exception exception);

    [LoggerMessage(3305, LogLevel.Warning, "Could not claim webhooks to deliver")]
    private static partial void ClaimFailed(ILogger logger, Exception exception);
}
