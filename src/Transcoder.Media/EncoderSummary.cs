using System.Globalization;
using System.Text.RegularExpressions;

namespace Transcoder.Media;

/// <summary>How close a rendition is to its source: PSNR in dB (all planes) and luma SSIM, over every frame.</summary>
public sealed record RenditionQuality(double Psnr, double Ssim);

/// <summary>
/// Collects what each libx264 encoder of a run prints when it closes: "SSIM Mean Y:0.9587949 (13.850db)" and
/// "PSNR Mean Y:41.613 U:40.167 V:39.913 Avg:41.004 Global:40.677 kb/s:3260.56". Each encoder tags its lines
/// with its own address ("[libx264 @ 0x55e46a070cc0]"); ffmpeg opens the encoders in output-stream order and
/// each announces its profile once when it opens, so the order in which the addresses first appear is the
/// order of the rungs. PSNR is x264's "Global" figure: from the mean squared error over all frames and planes,
/// which does not over-weight easy frames as a mean of per-frame PSNR would.
/// </summary>
public sealed partial class EncoderSummary
{
    private readonly List<string> _encoders = [];
    private readonly Dictionary<string, double> _psnr = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _ssim = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Reads one line of ffmpeg's stderr; lines that are not libx264's are ignored.</summary>
    public void Add(string line)
    {
        var tagged = Tagged().Match(line);
        if (!tagged.Success)
        {
            return;
        }

        var encoder = tagged.Groups[1].Value;
        var text = tagged.Groups[2].ValueSpan;
        lock (_lock)
        {
            if (text.StartsWith("profile ", StringComparison.Ordinal) && !_encoders.Contains(encoder))
            {
                _encoders.Add(encoder);
            }
            else if (Ssim().Match(line) is { Success: true } ssim)
            {
                _ssim[encoder] = Number(ssim.Groups[1].Value);
            }
            else if (Psnr().Match(line) is { Success: true } psnr)
            {
                _psnr[encoder] = Number(psnr.Groups[1].Value);
            }
        }
    }

    /// <summary>The quality of each of <paramref name="rungs"/> renditions, in rung order.</summary>
    /// <exception cref="MediaException">The encoders did not report quality for every rung.</exception>
    public IReadOnlyList<RenditionQuality> Renditions(int rungs)
    {
        lock (_lock)
        {
            if (_encoders.Count != rungs || _encoders.Any(e => !_psnr.ContainsKey(e) || !_ssim.ContainsKey(e)))
            {
                throw new MediaException(MediaErrorKind.EncodeFailed, string.Create(CultureInfo.InvariantCulture,
                    $"The encoders reported quality for {_encoders.Count(e => _psnr.ContainsKey(e) && _ssim.ContainsKey(e))} of {rungs} renditions."));
            }

            return [.. _encoders.Select(e => new RenditionQuality(Math.Round(Math.Min(_psnr[e], 100), 2), Math.Round(_ssim[e], 5)))];
        }
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\[libx264 @ (0x[0-9a-f]+)\] (.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Tagged();

    [GeneratedRegex(@"\] SSIM Mean Y:([0-9.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Ssim();

    [GeneratedRegex(@"\] PSNR Mean Y:.* Global:([0-9.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Psnr();
}
