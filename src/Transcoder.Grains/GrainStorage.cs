namespace Transcoder.Grains;

/// <summary>The grain storage names the grains use and the silo host provides.</summary>
public static class GrainStorage
{
    /// <summary>Job grain state: Postgres through Orleans' ADO.NET provider.</summary>
    public const string Jobs = "jobs";

    /// <summary>Stream subscriptions (Orleans' own name for it).</summary>
    public const string PubSub = "PubSubStore";
}
