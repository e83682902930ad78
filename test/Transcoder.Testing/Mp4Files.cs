using System.Buffers.Binary;
using System.Text;

namespace Transcoder.Testing;

/// <summary>What an MP4 file is made of at its top level.</summary>
public static class Mp4Files
{
    /// <summary>The types of a file's top-level boxes, in order ("ftyp", "moov", "mdat", ...).</summary>
    public static List<string> TopLevelBoxes(byte[] file)
    {
        var boxes = new List<string>();
        for (long at = 0; at + 8 <= file.Length;)
        {
            var size = (long)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)at));
            boxes.Add(Encoding.ASCII.GetString(file, (int)at + 4, 4));
            size = size switch
            {
                1 => (long)BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan((int)at + 8)),
                0 => file.Length - at,
                _ => size,
            };
            at += Math.Max(8, size);
        }

        return boxes;
    }

    /// <summary>True when the index (moov) comes before the media (mdat), so the file plays while it downloads.</summary>
    public static bool IsFaststart(byte[] file)
    {
        var boxes = TopLevelBoxes(file);
        return boxes.IndexOf("moov") >= 0 && boxes.IndexOf("moov") < boxes.IndexOf("mdat") && !boxes.Contains("moof");
    }
}
