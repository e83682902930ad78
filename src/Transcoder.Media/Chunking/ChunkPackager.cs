using System.Collections.Immutable;
using System.Security.Cryptography;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media.Chunking;

/// <summary>What a chunk run publishes: the files to upload (relative to the package) and the index it reports.</summary>
/// <param name="Files">
/// Media segments under their global names; the initialization segments too for the first chunk only; and under
/// <see cref="PackageLayout.PartsFolder"/> the stills it took for the poster and storyboard.
/// </param>
/// <param name="Output">Every rung's segment index, its init segment's hash, and the chunk's quality and cost.</param>
public sealed record PackagedChunk(IReadOnlyList<string> Files, ChunkOutput Output);

/// <summary>
/// Cuts what a chunk's encoder wrote (one file per rung, from time 0) into the package's segments under their global
/// numbers, each fragment's decode time moved to the chunk's place on the title's timeline: the segments the whole
/// encode would have made there. The title run joins the indexes (<see cref="LadderPackage.Join"/>).
/// </summary>
public static class ChunkPackager
{
    public static PackagedChunk Cut(LadderPlan plan, PlannedChunk chunk, string encodeFolder, string packageFolder, EncodedLadder encoded)
    {
        Directory.CreateDirectory(packageFolder);
        var files = new List<string>();
        var renditions = ImmutableArray.CreateBuilder<ChunkRendition>();
        foreach (var video in plan.Videos)
        {
            var id = video.Id;
            using var segmenter = new Segmenter(id, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(id)), packageFolder, plan.SegmentStart,
                new SpanPlacement(chunk.FirstSegment, chunk.StartSeconds));
            var written = segmenter.Cut(final: true);

            // One init segment serves the rendition: the first chunk's. The others' are only compared with it, by hash.
            files.AddRange(chunk.Index == 0 ? written : written.Where(f => f != segmenter.InitUri));
            // The encoders measure H.264's rungs (EncoderSummary); the other codecs' are measured apart.
            var quality = video.Codec == VideoCodec.H264 && video.Rung < encoded.Quality.Count ? encoded.Quality[video.Rung] : new RenditionQuality(0, 0);
            renditions.Add(new ChunkRendition(
                id,
                Convert.ToHexStringLower(SHA256.HashData(segmenter.Init!)),
                [.. segmenter.Segments.Select(s => new ChunkSegment(s.Number, s.Start, s.Duration, s.Bytes))],
                quality.Psnr,
                quality.Ssim));
        }

        // The stills it took for the title's poster and storyboard, which the title run collects.
        var stills = Directory.EnumerateFiles(encodeFolder, "*.jpg").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (stills.Count > 0)
        {
            Directory.CreateDirectory(Path.Combine(packageFolder, PackageLayout.PartsFolder));
        }

        foreach (var still in stills)
        {
            var part = $"{PackageLayout.PartsFolder}/{still}";
            File.Move(Path.Combine(encodeFolder, still), Path.Combine(packageFolder, part), overwrite: true);
            files.Add(part);
        }

        return new PackagedChunk(files, new ChunkOutput(chunk.Index, renditions.ToImmutable(), ChunkPlanner.Frames(plan, chunk), encoded.CpuSeconds));
    }

    /// <summary>
    /// Each H.264 rung's quality (the first <paramref name="rungs"/> renditions) over the whole title from its chunks': PSNR from the mean squared error over all frames (as
    /// x264's global figure is, so one chunk's easy frames do not lift the rest), SSIM as the mean over all frames.
    /// </summary>
    public static IReadOnlyList<RenditionQuality> Quality(IReadOnlyList<ChunkOutput> chunks, int rungs)
    {
        rungs = chunks.Count == 0 ? 0 : Math.Min(rungs, chunks.Min(c => c.Renditions.Length));
        var quality = new List<RenditionQuality>(rungs);
        for (var rung = 0; rung < rungs; rung++)
        {
            double frames = 0, error = 0, ssim = 0;
            foreach (var chunk in chunks)
            {
                var part = chunk.Renditions[rung];
                frames += chunk.Frames;
                error += chunk.Frames * Math.Pow(10, -part.Psnr / 10);
                ssim += chunk.Frames * part.Ssim;
            }

            quality.Add(frames <= 0 || error <= 0
                ? new RenditionQuality(0, 0)
                : new RenditionQuality(Math.Round(-10 * Math.Log10(error / frames), 2), Math.Round(ssim / frames, 5)));
        }

        return quality;
    }
}
