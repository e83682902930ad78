using Orleans.Placement;
using Orleans.Runtime.Placement;

using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// Places a grain on the silo its string key names. Worker grains use it so that "the worker of silo S" is
/// one addressable grain that always runs where its ffmpeg processes run, and that fails to activate
/// (rather than moving elsewhere) once S is gone.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("transcoder.silo-pinned")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    public static SiloPinnedPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class as placed by <see cref="SiloPinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);

/// <inheritdoc cref="SiloPinnedPlacement"/>
public sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (string.Equals(WorkerKeys.For(silo), key, StringComparison.Ordinal))
            {
                return Task.FromResult(silo);
            }
        }

        throw new SiloUnavailableException($"Silo {key} is not an active member of the cluster.");
    }
}
