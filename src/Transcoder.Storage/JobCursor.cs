using System.Buffers.Binary;
using System.Buffers.Text;

namespace Transcoder.Storage;

/// <summary>An opaque paging position: the (created_at, id) of the last job of a page.</summary>
public sealed record JobCursor(DateTimeOffset CreatedAt, Guid Id)
{
    private const int Size = sizeof(long) + 16;

    /// <summary>URL-safe text for the <c>after</c> query parameter.</summary>
    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Size];
        // Postgres keeps microseconds; ticks are 100 ns, so the value round-trips exactly.
        BinaryPrimitives.WriteInt64BigEndian(bytes, CreatedAt.UtcTicks);
        Id.TryWriteBytes(bytes[sizeof(long)..]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor; false for anything this service did not write.</summary>
    public static bool TryDecode(string? text, out JobCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.IsValid(text) || Base64Url.GetMaxDecodedLength(text.Length) > bytes.Length)
        {
            return false;
        }

        var status = Base64Url.DecodeFromChars(text, bytes, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        cursor = new JobCursor(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.Slice(sizeof(long), 16)));
        return true;
    }
}
