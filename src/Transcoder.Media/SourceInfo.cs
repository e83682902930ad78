namespace Transcoder.Media;

/// <summary>What ffprobe found in a source file, reduced to what planning needs: every stream, and the ones the ladder uses.</summary>
public sealed record SourceInfo
{
    /// <summary>ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".</summary>
    public required string FormatName { get; init; }

    /// <summary>Duration of the container, zero when unknown.</summary>
    public TimeSpan Duration { get; init; }

    public long SizeBytes { get; init; }

    /// <summary>Every picture stream but cover art, in stream order.</summary>
    public IReadOnlyList<VideoStreamInfo> VideoStreams { get; init; } = [];

    /// <summary>Every audio stream, in stream order.</summary>
    public IReadOnlyList<AudioStreamInfo> AudioStreams { get; init; } = [];

    /// <summary>Every subtitle stream, in stream order.</summary>
    public IReadOnlyList<TextStreamInfo> TextStreams { get; init; } = [];

    /// <summary>The video the ladder is made from: the default stream, else the first.</summary>
    public VideoStreamInfo? Video => VideoStreams.FirstOrDefault(v => v.Default) ?? VideoStreams.FirstOrDefault();

    /// <summary>The audio the ladder carries: the default stream, else the first.</summary>
    public AudioStreamInfo? Audio => AudioStreams.FirstOrDefault(a => a.Default) ?? AudioStreams.FirstOrDefault();
}

/// <summary>A video stream of the source.</summary>
public sealed record VideoStreamInfo
{
    /// <summary>Absolute stream index in the container.</summary>
    public required int Index { get; init; }

    public required string Codec { get; init; }

    /// <summary>Coded width, before sample aspect ratio and rotation.</summary>
    public required int Width { get; init; }

    /// <summary>Coded height, before sample aspect ratio and rotation.</summary>
    public required int Height { get; init; }

    /// <summary>Sample (pixel) aspect ratio; 1:1 when absent.</summary>
    public Rational SampleAspectRatio { get; init; } = Rational.One;

    /// <summary>Display rotation in degrees, clockwise, one of 0, 90, 180, 270.</summary>
    public int Rotation { get; init; }

    /// <summary>The stream's own duration as the container declares it; zero when unknown.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Average frame rate; zero when unknown.</summary>
    public Rational FrameRate { get; init; } = Rational.Zero;

    public string? PixelFormat { get; init; }

    /// <summary>ffprobe's color_transfer, e.g. "bt709", "smpte2084" (PQ) or "arib-std-b67" (HLG).</summary>
    public string? ColorTransfer { get; init; }

    /// <summary>ffprobe's color_primaries, e.g. "bt709" or "bt2020".</summary>
    public string? ColorPrimaries { get; init; }

    /// <summary>ffprobe's color_space (matrix), e.g. "bt709" or "bt2020nc".</summary>
    public string? ColorSpace { get; init; }

    /// <summary>True for high dynamic range: a PQ (HDR10) or HLG transfer.</summary>
    public bool Hdr => ColorTransfer is "smpte2084" or "arib-std-b67";

    /// <summary>The mastering display of an HDR stream (from its first frame); null when it carries none.</summary>
    public MasteringDisplay? MasteringDisplay { get; init; }

    /// <summary>Content light level of an HDR stream: the brightest pixel and frame average, cd/m2; null when it carries none.</summary>
    public (int MaxCll, int MaxFall)? ContentLight { get; init; }

    /// <summary>The HDR signal to keep, for an HDR stream.</summary>
    public HdrSignal? HdrSignal => Hdr ? new HdrSignal(ColorTransfer!, MasteringDisplay, ContentLight?.MaxCll, ContentLight?.MaxFall) : null;

    /// <summary>True when the stream is coded as interlaced fields.</summary>
    public bool Interlaced { get; init; }

    /// <summary>Marked as the default stream of its kind.</summary>
    public bool Default { get; init; }

    /// <summary>False when ffprobe could not identify the codec.</summary>
    public bool Decodable => Codec is not ("unknown" or "none");

    /// <summary>Width on screen: coded width scaled by the sample aspect ratio, then rotated.</summary>
    public double DisplayWidth => Rotation is 90 or 270 ? Height : Width * SampleAspectRatio.ToDouble();

    /// <summary>Height on screen, after rotation.</summary>
    public double DisplayHeight => Rotation is 90 or 270 ? Width * SampleAspectRatio.ToDouble() : Height;
}

/// <summary>An audio stream of the source.</summary>
public sealed record AudioStreamInfo
{
    /// <summary>Absolute stream index in the container.</summary>
    public required int Index { get; init; }

    public required string Codec { get; init; }

    public int Channels { get; init; }

    public int SampleRate { get; init; }

    /// <summary>The stream's own duration as the container declares it; zero when unknown.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>ISO 639-2 language the source names, if any.</summary>
    public string? Language { get; init; }

    /// <summary>The stream's title tag ("Director's commentary"), if any.</summary>
    public string? Title { get; init; }

    /// <summary>Marked as the default stream of its kind.</summary>
    public bool Default { get; init; }

    /// <summary>Marked as audio description for the visually impaired.</summary>
    public bool Description { get; init; }

    /// <summary>Marked as commentary.</summary>
    public bool Commentary { get; init; }

    /// <summary>False when ffprobe could not identify the codec.</summary>
    public bool Decodable => Codec is not ("unknown" or "none") && Channels > 0;
}

/// <summary>A subtitle stream of the source.</summary>
public sealed record TextStreamInfo
{
    /// <summary>Absolute stream index in the container.</summary>
    public required int Index { get; init; }

    public required string Codec { get; init; }

    /// <summary>ISO 639-2 language the source names, if any.</summary>
    public string? Language { get; init; }

    /// <summary>Marked as the default stream of its kind.</summary>
    public bool Default { get; init; }

    /// <summary>Marked forced (shown when the viewer chose no subtitles).</summary>
    public bool Forced { get; init; }

    /// <summary>Marked for the hearing impaired (captions: dialogue and sounds).</summary>
    public bool HearingImpaired { get; init; }

    /// <summary>The stream's title tag, if any.</summary>
    public string? Title { get; init; }

    /// <summary>True for subtitles made of text (which become WebVTT); false for pictures (PGS, DVB, VobSub).</summary>
    public bool IsText => Codec is "mov_text" or "subrip" or "srt" or "ass" or "ssa" or "webvtt" or "text";
}
