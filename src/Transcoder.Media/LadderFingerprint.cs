using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Transcoder.Media;

/// <summary>
/// A short, stable fingerprint of the ladder settings: two jobs whose inputs have the same bytes produce the same
/// outputs only if this is the same too. Any change of rungs, encoder settings, segmenting or thumbnails changes
/// it, as does a new version of the pipeline (bump <see cref="PipelineVersion"/> when the outputs change).
/// </summary>
public static class LadderFingerprint
{
    /// <summary>The version of what the pipeline makes from a given ladder.</summary>
    public const string PipelineVersion = "ladder-v1";

    public static string Of(LadderOptions options)
    {
        var text = PipelineVersion + "\n" + JsonSerializer.Serialize(options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
