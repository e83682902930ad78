namespace Transcoder.Contracts;

/// <summary>The one check of configured HMAC keys: base64 text of at least 32 bytes (token and webhook signing alike).</summary>
public static class SigningKeys
{
    public const int MinimumBytes = 32;

    /// <summary>Whether <paramref name="key"/> is base64 of at least <see cref="MinimumBytes"/> bytes.</summary>
    public static bool IsUsable(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[512];
        return Convert.TryFromBase64String(key, buffer, out var written) && written >= MinimumBytes;
    }
}
