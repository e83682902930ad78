using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Transcoder.Testing;

/// <summary>
/// Sources with every kind of track a title carries, made with the machine's ffmpeg from lavfi sources and text the
/// tests write: tagged, untagged and surround audio, text subtitles (one forced), a picture subtitle stream (PGS), and
/// HDR10 video.
/// </summary>
public static class TrackClips
{
    /// <summary>Where the English subtitles of <see cref="MultiTrackAsync"/> show a cue: 10.0 s in.</summary>
    public static readonly TimeSpan CueAtTen = TimeSpan.FromSeconds(10);

    /// <summary>The English subtitles: cues at 1.0 s and 10.0 s.</summary>
    public const string EnglishSrt = "1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>\n\n2\n00:00:10,000 --> 00:00:10,800\nTen seconds\n";

    /// <summary>The French forced subtitles, with accents (UTF-8).</summary>
    public const string FrenchSrt = "1\n00:00:02,000 --> 00:00:03,000\nCafé déjà vu\n";

    /// <summary>
    /// An 11 s 320x180 Matroska title: audio in English (the default), French, no language, and English 5.1 titled
    /// "Surround"; English subtitles (SubRip), French forced subtitles (SubRip), and a PGS picture subtitle stream.
    /// </summary>
    public static async Task<string> MultiTrackAsync(string folder)
    {
        var path = Path.Combine(folder, "multi-track.mkv");
        if (File.Exists(path))
        {
            return path;
        }

        var english = Path.Combine(folder, "multi-en.srt");
        var french = Path.Combine(folder, "multi-fr.srt");
        var pictures = Path.Combine(folder, "multi.sup");
        await File.WriteAllTextAsync(english, EnglishSrt, new UTF8Encoding(false));
        await File.WriteAllTextAsync(french, FrenchSrt, new UTF8Encoding(false));
        await File.WriteAllBytesAsync(pictures, PgsDisplaySets(320, 180, [1, 4]));
        await TestClips.RunAsync("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=11",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=11",
            "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000:duration=11",
            "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=11",
            "-f", "lavfi", "-i", "aevalsrc=0.1*sin(2*PI*220*t)|0.1*sin(2*PI*330*t)|0.1*sin(2*PI*440*t)|0.05*sin(2*PI*50*t)|0.1*sin(2*PI*550*t)|0.1*sin(2*PI*660*t):s=48000:d=11:c=5.1",
            "-i", english, "-i", french, "-i", pictures,
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:a", "-map", "4:a", "-map", "5", "-map", "6", "-map", "7",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "96k", "-c:s:0", "srt", "-c:s:1", "srt", "-c:s:2", "copy",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre", "-metadata:s:a:3", "language=eng", "-metadata:s:a:3", "title=Surround",
            "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fre", "-metadata:s:s:2", "language=ger",
            "-disposition:a:0", "default", "-disposition:a:1", "0", "-disposition:a:2", "0", "-disposition:a:3", "0",
            "-disposition:s:0", "0", "-disposition:s:1", "forced", "-disposition:s:2", "0",
            path + ".tmp.mkv",
        ]);
        File.Move(path + ".tmp.mkv", path, overwrite: true);
        return path;
    }

    /// <summary>
    /// A 3 s HDR clip (BT.2020 primaries and matrix, 10-bit H.264) with the given transfer, "smpte2084" (PQ, HDR10) or
    /// "arib-std-b67" (HLG): a mid-grey patch over black, made from the SDR picture <see cref="SdrGreyAsync"/> makes,
    /// with SDR white at 100 nits.
    /// </summary>
    public static async Task<string> HdrGreyAsync(string folder, string transfer = "smpte2084")
    {
        var path = Path.Combine(folder, $"hdr-{transfer}-grey.mp4");
        if (!File.Exists(path))
        {
            await TestClips.RunAsync("ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", GreySource,
                "-vf", $"zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t={transfer}:p=bt2020:m=bt2020nc:r=tv:npl=100,format=yuv420p10le",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12",
                "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc", "-color_range", "tv",
                path + ".tmp.mp4",
            ]);
            File.Move(path + ".tmp.mp4", path, overwrite: true);
        }

        return path;
    }

    /// <summary>
    /// An HDR10 clip as cameras and graders deliver it: HEVC Main 10, PQ, BT.2020, with a mastering display (P3 primaries,
    /// D65, 1000 to 0.0001 cd/m2) and content light levels (1000 and 400 cd/m2) in its SEI.
    /// </summary>
    public static async Task<string> Hdr10Async(string folder, double seconds = 2)
    {
        var path = Path.Combine(folder, "hdr10.mp4");
        if (!File.Exists(path))
        {
            await TestClips.RunAsync("ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size=320x180:rate=30:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                "-vf", "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=smpte2084:p=bt2020:m=bt2020nc:r=tv:npl=100,format=yuv420p10le",
                "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
                "-x265-params", "hdr10=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400:log-level=error",
                "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", "-color_range", "tv",
                path + ".tmp.mp4",
            ]);
            File.Move(path + ".tmp.mp4", path, overwrite: true);
        }

        return path;
    }

    /// <summary>The SDR BT.709 picture the HDR clips were made from: the reference its tone-mapped ladder is held to.</summary>
    public static async Task<string> SdrGreyAsync(string folder)
    {
        var path = Path.Combine(folder, "sdr-grey.mp4");
        if (!File.Exists(path))
        {
            await TestClips.RunAsync("ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", GreySource, "-vf", "format=yuv420p",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12",
                "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv",
                path + ".tmp.mp4",
            ]);
            File.Move(path + ".tmp.mp4", path, overwrite: true);
        }

        return path;
    }

    /// <summary>Mean luma of a region (an ffmpeg crop filter) of the first frame of an 8-bit video, as ffmpeg's signalstats measures it.</summary>
    public static async Task<double> MeanLumaAsync(string path, string crop)
    {
        var output = await TestClips.RunAsync("ffprobe",
        [
            "-v", "error", "-f", "lavfi", "-i", $"movie={path},{crop},signalstats,trim=end_frame=1",
            "-show_entries", "frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0",
        ]);
        return double.Parse(output.Trim().Split('\n')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A PGS (Blu-ray presentation graphics) stream as a .sup file: display sets of one composition segment and an end
    /// segment each, at the given seconds. ffmpeg has no PGS encoder; this is the format, written out.
    /// </summary>
    public static byte[] PgsDisplaySets(int width, int height, IReadOnlyList<int> seconds)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < seconds.Count; i++)
        {
            var pts = (uint)(seconds[i] * 90_000);
            var composition = new byte[11];
            BinaryPrimitives.WriteUInt16BigEndian(composition, (ushort)width);
            BinaryPrimitives.WriteUInt16BigEndian(composition.AsSpan(2), (ushort)height);
            composition[4] = 0x10;
            BinaryPrimitives.WriteUInt16BigEndian(composition.AsSpan(5), (ushort)i);
            composition[7] = 0x80;
            bytes.AddRange(Segment(pts, 0x16, composition));
            bytes.AddRange(Segment(pts, 0x80, []));
        }

        return [.. bytes];
    }

    private const string GreySource = "color=c=black:size=320x180:rate=25:duration=3,drawbox=x=80:y=45:w=160:h=90:color=0x808080:t=fill";

    private static byte[] Segment(uint pts, byte type, byte[] payload)
    {
        var segment = new byte[13 + payload.Length];
        segment[0] = (byte)'P';
        segment[1] = (byte)'G';
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(2), pts);
        segment[10] = type;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(11), (ushort)payload.Length);
        payload.CopyTo(segment, 13);
        return segment;
    }
}
