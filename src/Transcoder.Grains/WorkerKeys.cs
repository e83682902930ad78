namespace Transcoder.Grains;

/// <summary>Worker grain keys: the parsable address of the silo the worker runs on (it changes when the silo restarts).</summary>
public static class WorkerKeys
{
    public static string For(SiloAddress silo) => silo.ToParsableString();
}
