using System.Buffers.Binary;
using System.Text;

namespace Transcoder.Media.Packaging;

/// <summary>One ISO BMFF box within a buffer: its four-character type and where it and its payload lie.</summary>
/// <param name="Type">The box type, e.g. "moof".</param>
/// <param name="Start">Offset of the box's first byte.</param>
/// <param name="PayloadStart">Offset of the first byte after its header.</param>
/// <param name="End">Offset just past its last byte.</param>
internal readonly record struct Mp4Box(string Type, int Start, int PayloadStart, int End)
{
    public int Size => End - Start;
}

/// <summary>Reads and writes the ISO BMFF (MP4) boxes packaging needs, big-endian as the format is.</summary>
internal static class Mp4Boxes
{
    /// <summary>The header of the box at <paramref name="offset"/>: its type and its whole size; null if fewer than 8 bytes are there.</summary>
    public static (string Type, long Size, int HeaderSize)? ReadHeader(ReadOnlySpan<byte> data, int offset)
    {
        if (data.Length - offset < 8)
        {
            return null;
        }

        long size = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
        var type = Encoding.ASCII.GetString(data.Slice(offset + 4, 4));
        var header = 8;
        if (size == 1)
        {
            if (data.Length - offset < 16)
            {
                return null;
            }

            size = (long)BinaryPrimitives.ReadUInt64BigEndian(data[(offset + 8)..]);
            header = 16;
        }

        return (type, size, header);
    }

    /// <summary>The boxes directly inside <c>[start, end)</c>.</summary>
    /// <exception cref="MediaException">A box runs past its container.</exception>
    public static List<Mp4Box> Children(ReadOnlySpan<byte> data, int start, int end)
    {
        var boxes = new List<Mp4Box>();
        var offset = start;
        while (offset + 8 <= end)
        {
            var (type, size, header) = ReadHeader(data, offset) ?? throw Malformed("truncated box header");
            var boxEnd = size == 0 ? end : offset + size;
            if (size != 0 && size < header || boxEnd > end)
            {
                throw Malformed($"box '{type}' runs past its container");
            }

            boxes.Add(new Mp4Box(type, offset, offset + header, (int)boxEnd));
            offset = (int)boxEnd;
        }

        return boxes;
    }

    /// <summary>The first child of a type, following a path of types ("trak", "mdia", "mdhd").</summary>
    public static Mp4Box? Find(ReadOnlySpan<byte> data, Mp4Box parent, params string[] path)
    {
        var current = parent;
        foreach (var type in path)
        {
            var found = Children(data, current.PayloadStart + ContainerSkip(current.Type), current.End).FirstOrDefault(b => b.Type == type);
            if (found.Type is null)
            {
                return null;
            }

            current = found;
        }

        return current;
    }

    /// <summary>Bytes a container box carries before its children (full-box header and fields of sample entries).</summary>
    public static int ContainerSkip(string type) => type switch
    {
        "stsd" => 8,                  // version+flags, entry_count
        "avc1" or "avc3" or "hvc1" or "hev1" or "av01" or "vp09" => 78, // VisualSampleEntry fields
        "mp4a" or "ac-3" or "ec-3" or "Opus" or "fLaC" => 28,           // AudioSampleEntry fields
        "meta" => 4,
        _ => 0,
    };

    public static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);

    public static int S32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadInt32BigEndian(data[offset..]);

    public static ulong U64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64BigEndian(data[offset..]);

    public static ushort U16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);

    public static MediaException Malformed(string what) =>
        new(MediaErrorKind.EncodeFailed, $"The encoder wrote a malformed fragmented MP4: {what}.");
}

/// <summary>Writes boxes into a growing buffer, patching each size once the box is closed.</summary>
internal sealed class Mp4Writer
{
    private readonly List<byte> _bytes = [];
    private readonly Stack<int> _open = new();

    public int Length => _bytes.Count;

    public void Open(string type)
    {
        _open.Push(_bytes.Count);
        U32(0);
        _bytes.AddRange(Encoding.ASCII.GetBytes(type));
    }

    public void OpenFull(string type, byte version, uint flags)
    {
        Open(type);
        U32(((uint)version << 24) | (flags & 0xFFFFFF));
    }

    public void Close()
    {
        var start = _open.Pop();
        var size = (uint)(_bytes.Count - start);
        for (var i = 0; i < 4; i++)
        {
            _bytes[start + i] = (byte)(size >> (24 - (8 * i)));
        }
    }

    public void U32(uint value)
    {
        for (var i = 3; i >= 0; i--)
        {
            _bytes.Add((byte)(value >> (8 * i)));
        }
    }

    public void S32(int value) => U32(unchecked((uint)value));

    public void U64(ulong value)
    {
        U32((uint)(value >> 32));
        U32((uint)value);
    }

    /// <summary>Overwrites a 32-bit value already written at <paramref name="offset"/>.</summary>
    public void PatchU32(int offset, uint value)
    {
        for (var i = 0; i < 4; i++)
        {
            _bytes[offset + i] = (byte)(value >> (24 - (8 * i)));
        }
    }

    public byte[] ToArray() => [.. _bytes];
}
