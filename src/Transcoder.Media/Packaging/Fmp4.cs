using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Transcoder.Media.Packaging;

/// <summary>What an initialization segment (ftyp + moov) says about its one track.</summary>
/// <param name="TrackId">The track_ID fragments refer to.</param>
/// <param name="Handler">"vide", "soun", "text" or "subt".</param>
/// <param name="Timescale">Ticks per second of the track's times.</param>
/// <param name="Codecs">The RFC 6381 codec string of its sample entry, e.g. "avc1.64001f" or "mp4a.40.2".</param>
/// <param name="Language">ISO 639-2 language from the media header, or null when undetermined.</param>
/// <param name="Width">Width of a video sample entry.</param>
/// <param name="Height">Height of a video sample entry.</param>
/// <param name="Channels">Channels of an audio sample entry.</param>
/// <param name="SampleRate">Sample rate of an audio sample entry.</param>
/// <param name="Defaults">The track's defaults for fields fragments leave out.</param>
/// <param name="MediaTime">
/// Where presentation starts on the track's own timeline (its edit list): the encoder's priming samples for audio,
/// the reordering delay for video with B-frames. Presentation time = composition time - this.
/// </param>
/// <param name="Transfer">The video's transfer characteristics (ISO/IEC 23091-2: 1 BT.709, 16 PQ, 18 HLG) from its colr box; null when it has none.</param>
internal sealed record TrackInfo(uint TrackId, string Handler, uint Timescale, string Codecs, string? Language,
    int? Width, int? Height, int? Channels, int? SampleRate, SampleDefaults Defaults, long MediaTime = 0, int? Transfer = null)
{
    /// <summary>HLS's VIDEO-RANGE of a video track: "PQ", "HLG", or "SDR".</summary>
    public string VideoRange => Transfer switch
    {
        16 => "PQ",
        18 => "HLG",
        _ => "SDR",
    };
}

/// <summary>Sample fields a fragment may leave to the track (trex) or its own header (tfhd).</summary>
internal readonly record struct SampleDefaults(uint Duration, uint Size, uint Flags);

/// <summary>One sample of a fragment: its timing, size, flags, and where its bytes are in the fragment.</summary>
internal readonly record struct Sample(uint Duration, uint Size, uint Flags, int CompositionOffset, int DataOffset);

/// <summary>One movie fragment (moof + mdat) of one track.</summary>
/// <param name="Sequence">The mfhd sequence number.</param>
/// <param name="BaseTime">Decode time of its first sample, in the track's timescale (tfdt).</param>
/// <param name="Samples">Its samples, in decode order.</param>
/// <param name="Bytes">The fragment as written: moof followed by mdat.</param>
internal sealed record Fragment(uint Sequence, ulong BaseTime, IReadOnlyList<Sample> Samples, byte[] Bytes)
{
    public ulong Duration => (ulong)Samples.Sum(s => (long)s.Duration);

    public ulong EndTime => BaseTime + Duration;

    /// <summary>
    /// Where the fragment's presentation ends on the title's timeline: its first sample's composition time (the
    /// earliest presented: fragments start with a sync sample) less the track's edit, plus its duration.
    /// </summary>
    public long PresentationEnd(TrackInfo track) =>
        (long)BaseTime + (Samples.Count > 0 ? Samples[0].CompositionOffset : 0) - track.MediaTime + (long)Duration;
}

/// <summary>
/// Reads fragmented MP4 as encoders write it (one track per file: an initialization segment, then movie fragments),
/// and writes several fragments of a track as one. Only what packaging needs of ISO/IEC 14496-12 and 14496-14.
/// </summary>
internal static class Fmp4
{
    private const uint TfhdBaseDataOffset = 0x1;
    private const uint TfhdSampleDescriptionIndex = 0x2;
    private const uint TfhdDefaultDuration = 0x8;
    private const uint TfhdDefaultSize = 0x10;
    private const uint TfhdDefaultFlags = 0x20;
    private const uint TfhdDefaultBaseIsMoof = 0x20000;
    private const uint TrunDataOffset = 0x1;
    private const uint TrunFirstSampleFlags = 0x4;
    private const uint TrunDuration = 0x100;
    private const uint TrunSize = 0x200;
    private const uint TrunFlags = 0x400;
    private const uint TrunCompositionOffset = 0x800;

    /// <summary>The track an initialization segment (ftyp followed by moov) describes.</summary>
    /// <exception cref="MediaException">It is not an initialization segment of one track with a known sample entry.</exception>
    public static TrackInfo ReadInit(ReadOnlySpan<byte> init)
    {
        var moov = Mp4Boxes.Children(init, 0, init.Length).FirstOrDefault(b => b.Type == "moov");
        if (moov.Type is null || Mp4Boxes.Find(init, moov, "trak") is not { } trak)
        {
            throw Mp4Boxes.Malformed("no track in the initialization segment");
        }

        var tkhd = Mp4Boxes.Find(init, trak, "tkhd") ?? throw Mp4Boxes.Malformed("no track header");
        var trackId = Mp4Boxes.U32(init, tkhd.PayloadStart + (init[tkhd.PayloadStart] == 1 ? 20 : 12));
        var mdhd = Mp4Boxes.Find(init, trak, "mdia", "mdhd") ?? throw Mp4Boxes.Malformed("no media header");
        var v1 = init[mdhd.PayloadStart] == 1;
        var timescale = Mp4Boxes.U32(init, mdhd.PayloadStart + (v1 ? 20 : 12));
        var language = Language(Mp4Boxes.U16(init, mdhd.PayloadStart + (v1 ? 32 : 20)));
        var hdlr = Mp4Boxes.Find(init, trak, "mdia", "hdlr") ?? throw Mp4Boxes.Malformed("no handler");
        var handler = Encoding.ASCII.GetString(init.Slice(hdlr.PayloadStart + 8, 4));
        var stsd = Mp4Boxes.Find(init, trak, "mdia", "minf", "stbl", "stsd") ?? throw Mp4Boxes.Malformed("no sample description");
        var entry = Mp4Boxes.Children(init, stsd.PayloadStart + Mp4Boxes.ContainerSkip("stsd"), stsd.End).FirstOrDefault();
        if (entry.Type is null)
        {
            throw Mp4Boxes.Malformed("no sample entry");
        }

        int? width = null, height = null, channels = null, sampleRate = null;
        var colour = entry.Type is "hvc1" or "hev1" or "av01" or "avc1" or "avc3" ? Colour(init, entry) : null;
        string codecs;
        switch (entry.Type)
        {
            case "avc1" or "avc3":
                width = Mp4Boxes.U16(init, entry.PayloadStart + 24);
                height = Mp4Boxes.U16(init, entry.PayloadStart + 26);
                var avcC = Mp4Boxes.Find(init, entry, "avcC") ?? throw Mp4Boxes.Malformed("no avcC in the sample entry");
                codecs = string.Create(CultureInfo.InvariantCulture,
                    $"{entry.Type}.{init[avcC.PayloadStart + 1]:x2}{init[avcC.PayloadStart + 2]:x2}{init[avcC.PayloadStart + 3]:x2}");
                break;
            case "hvc1" or "hev1":
                width = Mp4Boxes.U16(init, entry.PayloadStart + 24);
                height = Mp4Boxes.U16(init, entry.PayloadStart + 26);
                var hvcC = Mp4Boxes.Find(init, entry, "hvcC") ?? throw Mp4Boxes.Malformed("no hvcC in the sample entry");
                codecs = HevcCodecs(entry.Type, init[hvcC.PayloadStart..hvcC.End]);
                break;
            case "av01":
                width = Mp4Boxes.U16(init, entry.PayloadStart + 24);
                height = Mp4Boxes.U16(init, entry.PayloadStart + 26);
                var av1C = Mp4Boxes.Find(init, entry, "av1C") ?? throw Mp4Boxes.Malformed("no av1C in the sample entry");
                codecs = Av1Codecs(init[av1C.PayloadStart..av1C.End], colour);
                break;
            case "mp4a":
                channels = Mp4Boxes.U16(init, entry.PayloadStart + 16);
                sampleRate = (int)(Mp4Boxes.U32(init, entry.PayloadStart + 24) >> 16);
                var esds = Mp4Boxes.Find(init, entry, "esds") ?? throw Mp4Boxes.Malformed("no esds in the sample entry");
                codecs = AudioCodecs(init[(esds.PayloadStart + 4)..esds.End]);
                break;
            default:
                throw Mp4Boxes.Malformed($"sample entry '{entry.Type}' is not one this packager knows");
        }

        var defaults = new SampleDefaults(0, 0, 0);
        if (Mp4Boxes.Find(init, moov, "mvex") is { } mvex)
        {
            foreach (var trex in Mp4Boxes.Children(init, mvex.PayloadStart, mvex.End).Where(b => b.Type == "trex"))
            {
                if (Mp4Boxes.U32(init, trex.PayloadStart + 4) == trackId)
                {
                    defaults = new SampleDefaults(Mp4Boxes.U32(init, trex.PayloadStart + 12), Mp4Boxes.U32(init, trex.PayloadStart + 16), Mp4Boxes.U32(init, trex.PayloadStart + 20));
                }
            }
        }

        return new TrackInfo(trackId, handler, timescale, codecs, language, width, height, channels, sampleRate, defaults, MediaTime(init, trak), colour?.Transfer);
    }

    /// <summary>The colour description of a visual sample entry's colr box of type nclx, if it has one.</summary>
    private static (int Primaries, int Transfer, int Matrix, bool FullRange)? Colour(ReadOnlySpan<byte> init, Mp4Box entry)
    {
        if (Mp4Boxes.Find(init, entry, "colr") is not { } colr || colr.End - colr.PayloadStart < 11
            || Encoding.ASCII.GetString(init.Slice(colr.PayloadStart, 4)) != "nclx")
        {
            return null;
        }

        var at = colr.PayloadStart + 4;
        return (Mp4Boxes.U16(init, at), Mp4Boxes.U16(init, at + 2), Mp4Boxes.U16(init, at + 4), (init[at + 6] & 0x80) != 0);
    }

    /// <summary>
    /// "hvc1.P.C.TL.B" from an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 annex E.3): the profile (after its
    /// space, A-C), the compatibility flags bit-reversed in hex, the tier (L or H) and level, then the constraint
    /// bytes in hex, trailing zero bytes left out.
    /// </summary>
    internal static string HevcCodecs(string sampleEntry, ReadOnlySpan<byte> hvcC)
    {
        if (hvcC.Length < 13)
        {
            throw Mp4Boxes.Malformed("hvcC too short");
        }

        var space = hvcC[1] >> 6;
        var tier = (hvcC[1] & 0x20) != 0 ? 'H' : 'L';
        var profile = hvcC[1] & 0x1f;
        var compatibility = BinaryPrimitives.ReadUInt32BigEndian(hvcC[2..]);
        uint reversed = 0;
        for (var bit = 0; bit < 32; bit++)
        {
            reversed |= ((compatibility >> bit) & 1) << (31 - bit);
        }

        var constraints = hvcC[6..12].ToArray().AsEnumerable().Reverse().SkipWhile(b => b == 0).Reverse().ToList();
        var text = new StringBuilder(sampleEntry).Append('.');
        if (space > 0)
        {
            text.Append((char)('A' + space - 1));
        }

        text.Append(CultureInfo.InvariantCulture, $"{profile}.{reversed:X}.{tier}{hvcC[12]}");
        foreach (var constraint in constraints)
        {
            text.Append(CultureInfo.InvariantCulture, $".{constraint:X2}");
        }

        return text.ToString();
    }

    /// <summary>
    /// "av01.P.LLT.DD" from an AV1CodecConfigurationRecord (AV1 in ISO-BMFF, codecs parameter string): profile, level
    /// and tier, bit depth; with the colour (monochrome, chroma subsampling and position, primaries, transfer, matrix,
    /// full range) when it is other than the defaults (4:2:0, BT.709, limited range).
    /// </summary>
    internal static string Av1Codecs(ReadOnlySpan<byte> av1C, (int Primaries, int Transfer, int Matrix, bool FullRange)? colour)
    {
        if (av1C.Length < 4)
        {
            throw Mp4Boxes.Malformed("av1C too short");
        }

        var profile = av1C[1] >> 5;
        var level = av1C[1] & 0x1f;
        var tier = (av1C[2] & 0x80) != 0 ? 'H' : 'M';
        var high = (av1C[2] & 0x40) != 0;
        var twelve = (av1C[2] & 0x20) != 0;
        var depth = high ? (twelve ? 12 : 10) : 8;
        var monochrome = (av1C[2] & 0x10) != 0 ? 1 : 0;
        var subsampling = Invariant($"{(av1C[2] >> 3) & 1}{(av1C[2] >> 2) & 1}{av1C[2] & 3}");
        var text = Invariant($"av01.{profile}.{level:00}{tier}.{depth:00}");
        if (colour is { } c && (monochrome != 0 || subsampling != "110" || c.Primaries != 1 || c.Transfer != 1 || c.Matrix != 1 || c.FullRange))
        {
            text += Invariant($".{monochrome}.{subsampling}.{c.Primaries:00}.{c.Transfer:00}.{c.Matrix:00}.{(c.FullRange ? 1 : 0)}");
        }

        return text;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The samples of one fragment (moof followed by its mdat, the moof at offset 0).</summary>
    public static Fragment ReadFragment(byte[] bytes, SampleDefaults trackDefaults)
    {
        var data = bytes.AsSpan();
        var top = Mp4Boxes.Children(data, 0, data.Length);
        var moof = top.FirstOrDefault(b => b.Type == "moof");
        if (moof.Type is null || Mp4Boxes.Find(data, moof, "traf") is not { } traf)
        {
            throw Mp4Boxes.Malformed("a fragment without a track fragment");
        }

        var sequence = Mp4Boxes.Find(data, moof, "mfhd") is { } mfhd ? Mp4Boxes.U32(data, mfhd.PayloadStart + 4) : 0;
        var tfhd = Mp4Boxes.Find(data, traf, "tfhd") ?? throw Mp4Boxes.Malformed("a track fragment without a header");
        var tfhdFlags = Mp4Boxes.U32(data, tfhd.PayloadStart) & 0xFFFFFF;
        var at = tfhd.PayloadStart + 8;
        long baseOffset = moof.Start;
        if ((tfhdFlags & TfhdBaseDataOffset) != 0)
        {
            baseOffset = (long)Mp4Boxes.U64(data, at);
            at += 8;
        }

        if ((tfhdFlags & TfhdSampleDescriptionIndex) != 0)
        {
            at += 4;
        }

        var duration = Field(data, ref at, tfhdFlags, TfhdDefaultDuration, trackDefaults.Duration);
        var size = Field(data, ref at, tfhdFlags, TfhdDefaultSize, trackDefaults.Size);
        var flags = Field(data, ref at, tfhdFlags, TfhdDefaultFlags, trackDefaults.Flags);

        ulong baseTime = 0;
        if (Mp4Boxes.Find(data, traf, "tfdt") is { } tfdt)
        {
            baseTime = data[tfdt.PayloadStart] == 1 ? Mp4Boxes.U64(data, tfdt.PayloadStart + 4) : Mp4Boxes.U32(data, tfdt.PayloadStart + 4);
        }

        var samples = new List<Sample>();
        var dataAt = baseOffset;
        foreach (var trun in Mp4Boxes.Children(data, traf.PayloadStart, traf.End).Where(b => b.Type == "trun"))
        {
            var version = data[trun.PayloadStart];
            var trunFlags = Mp4Boxes.U32(data, trun.PayloadStart) & 0xFFFFFF;
            var count = Mp4Boxes.U32(data, trun.PayloadStart + 4);
            var p = trun.PayloadStart + 8;
            if ((trunFlags & TrunDataOffset) != 0)
            {
                dataAt = baseOffset + Mp4Boxes.S32(data, p);
                p += 4;
            }

            uint? firstFlags = null;
            if ((trunFlags & TrunFirstSampleFlags) != 0)
            {
                firstFlags = Mp4Boxes.U32(data, p);
                p += 4;
            }

            for (var i = 0; i < count; i++)
            {
                var sampleDuration = Field(data, ref p, trunFlags, TrunDuration, duration);
                var sampleSize = Field(data, ref p, trunFlags, TrunSize, size);
                var sampleFlags = Field(data, ref p, trunFlags, TrunFlags, i == 0 && firstFlags is { } first ? first : flags);
                var offset = 0;
                if ((trunFlags & TrunCompositionOffset) != 0)
                {
                    offset = version == 0 ? (int)Mp4Boxes.U32(data, p) : Mp4Boxes.S32(data, p);
                    p += 4;
                }

                if (dataAt < 0 || dataAt + sampleSize > bytes.Length)
                {
                    throw Mp4Boxes.Malformed("a sample lies outside its fragment");
                }

                samples.Add(new Sample(sampleDuration, sampleSize, sampleFlags, offset, (int)dataAt));
                dataAt += sampleSize;
            }
        }

        return new Fragment(sequence, baseTime, samples, bytes);
    }

    /// <summary>
    /// One fragment (moof + mdat) holding the samples of <paramref name="fragments"/>, in order, as one run: what a
    /// segment made of many small fragments (audio is written a frame at a time) is published as. Its decode time is
    /// the first fragment's plus <paramref name="timeOffset"/> (a span's place in the title).
    /// </summary>
    public static byte[] Merge(IReadOnlyList<Fragment> fragments, uint trackId, uint sequence, ulong timeOffset = 0)
    {
        if (fragments.Count == 1 && timeOffset == 0)
        {
            return fragments[0].Bytes;
        }

        var samples = fragments.SelectMany(f => f.Samples.Select(s => (Fragment: f, Sample: s))).ToList();
        var withOffsets = samples.Any(s => s.Sample.CompositionOffset != 0);
        var trunFlags = TrunDataOffset | TrunDuration | TrunSize | TrunFlags | (withOffsets ? TrunCompositionOffset : 0);
        var moof = new Mp4Writer();
        moof.Open("moof");
        moof.OpenFull("mfhd", 0, 0);
        moof.U32(sequence);
        moof.Close();
        moof.Open("traf");
        moof.OpenFull("tfhd", 0, TfhdDefaultBaseIsMoof);
        moof.U32(trackId);
        moof.Close();
        moof.OpenFull("tfdt", 1, 0);
        moof.U64(fragments[0].BaseTime + timeOffset);
        moof.Close();
        moof.OpenFull("trun", 1, trunFlags);
        moof.U32((uint)samples.Count);
        var dataOffsetAt = moof.Length;
        moof.S32(0);
        foreach (var (_, sample) in samples)
        {
            moof.U32(sample.Duration);
            moof.U32(sample.Size);
            moof.U32(sample.Flags);
            if (withOffsets)
            {
                moof.S32(sample.CompositionOffset);
            }
        }

        moof.Close();
        moof.Close();
        moof.Close();
        moof.PatchU32(dataOffsetAt, (uint)(moof.Length + 8));

        var mdatSize = 8L + samples.Sum(s => (long)s.Sample.Size);
        var result = new byte[moof.Length + mdatSize];
        moof.ToArray().CopyTo(result, 0);
        var at = moof.Length;
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(at), (uint)mdatSize);
        "mdat"u8.CopyTo(result.AsSpan(at + 4));
        at += 8;
        foreach (var (fragment, sample) in samples)
        {
            fragment.Bytes.AsSpan(sample.DataOffset, (int)sample.Size).CopyTo(result.AsSpan(at));
            at += (int)sample.Size;
        }

        return result;
    }

    /// <summary>The media time of the track's first non-empty edit, or 0 without an edit list.</summary>
    private static long MediaTime(ReadOnlySpan<byte> init, Mp4Box trak)
    {
        if (Mp4Boxes.Find(init, trak, "edts", "elst") is not { } elst)
        {
            return 0;
        }

        var v1 = init[elst.PayloadStart] == 1;
        var count = Mp4Boxes.U32(init, elst.PayloadStart + 4);
        var at = elst.PayloadStart + 8;
        for (var i = 0; i < count && at + (v1 ? 20 : 12) <= elst.End; i++)
        {
            long mediaTime = v1 ? (long)Mp4Boxes.U64(init, at + 8) : Mp4Boxes.S32(init, at + 4);
            if (mediaTime >= 0)
            {
                return mediaTime;
            }

            at += v1 ? 20 : 12;
        }

        return 0;
    }

    /// <summary>An optional 32-bit field of a tfhd or trun entry: read (and stepped over) when its flag is set, else the fallback.</summary>
    private static uint Field(ReadOnlySpan<byte> data, ref int at, uint flags, uint flag, uint fallback)
    {
        if ((flags & flag) == 0)
        {
            return fallback;
        }

        var value = Mp4Boxes.U32(data, at);
        at += 4;
        return value;
    }

    /// <summary>"mp4a.40.N" for MPEG-4 audio (N its audio object type: 2 for AAC-LC), else "mp4a.XX" by object type.</summary>
    private static string AudioCodecs(ReadOnlySpan<byte> descriptors)
    {
        var at = 0;
        while (at < descriptors.Length)
        {
            var tag = descriptors[at++];
            var length = 0;
            for (var i = 0; i < 4 && at < descriptors.Length; i++)
            {
                var b = descriptors[at++];
                length = (length << 7) | (b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            switch (tag)
            {
                case 0x03: // ES_Descriptor: ES_ID, flags, optional fields, then its own descriptors
                    var esFlags = descriptors[at + 2];
                    at += 3;
                    if ((esFlags & 0x80) != 0)
                    {
                        at += 2;
                    }

                    if ((esFlags & 0x40) != 0)
                    {
                        at += 1 + descriptors[at];
                    }

                    if ((esFlags & 0x20) != 0)
                    {
                        at += 2;
                    }

                    break;
                case 0x04: // DecoderConfigDescriptor: object type, then 12 bytes, then the decoder-specific info
                    var objectType = descriptors[at];
                    if (objectType != 0x40)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"mp4a.{objectType:X2}");
                    }

                    at += 13;
                    break;
                case 0x05: // AudioSpecificConfig: 5 bits of audio object type, 31 escaping to 32 + 6 more bits
                    var aot = descriptors[at] >> 3;
                    if (aot == 31 && at + 1 < descriptors.Length)
                    {
                        aot = 32 + (((descriptors[at] & 0x07) << 3) | (descriptors[at + 1] >> 5));
                    }

                    return string.Create(CultureInfo.InvariantCulture, $"mp4a.40.{aot}");
                default:
                    at += length;
                    break;
            }
        }

        throw Mp4Boxes.Malformed("an audio sample entry without a decoder configuration");
    }

    /// <summary>The packed ISO 639-2/T code of a media header; null for "und" or none.</summary>
    private static string? Language(ushort packed)
    {
        if (packed is 0 or 0x55C4)
        {
            return null;
        }

        Span<char> code = [(char)(((packed >> 10) & 0x1F) + 0x60), (char)(((packed >> 5) & 0x1F) + 0x60), (char)((packed & 0x1F) + 0x60)];
        return code.ContainsAnyExceptInRange('a', 'z') ? null : new string(code);
    }
}
