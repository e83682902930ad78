namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// Tests that listen on the one loopback port the stack trusts for URL inputs (TestStack.OriginPort) run one
/// after another, not side by side.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class TestOriginPort
{
    public const string Collection = "Test origin port";
}

/// <summary>Tests that receive webhooks on the one loopback port the stack trusts for them (TestStack.WebhookPort) run one after another.</summary>
[CollectionDefinition(Collection)]
public sealed class WebhookPort
{
    public const string Collection = "Webhook port";
}
