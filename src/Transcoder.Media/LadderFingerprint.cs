using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Transcoder.Abstractions;

namespace Transcoder.Media;

/// <summary>
/// A short, stable fingerprint of what makes a package from an input: the ladder settings and the job's track and
/// output options. Two jobs whose inputs have the same bytes produce the same outputs only if this is the same too. Any
/// change of rungs, encoder settings, segmenting, thumbnails, audio selection, loudness or caption files changes it,
/// as does a new version of the pipeline (bump <see cref="PipelineVersion"/> when the outputs change).
/// </summary>
public static class LadderFingerprint
{
    /// <summary>The version of what the pipeline makes from a given ladder.</summary>
    public const string PipelineVersion = "ladder-v3";

    public static string Of(LadderOptions options, TrackOptions? tracks = null, OutputOptions? outputs = null)
    {
        var text = PipelineVersion + "\n" + JsonSerializer.Serialize(options);
        if (tracks is { IsDefault: false })
        {
            text += "\n" + JsonSerializer.Serialize(tracks);
        }

        if (outputs is { IsDefault: false })
        {
            text += "\noutputs " + JsonSerializer.Serialize(outputs);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
