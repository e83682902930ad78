namespace Transcoder.Media;

/// <summary>Refuses inputs over the configured limits, from the probe alone (nothing decoded yet).</summary>
public static class InputPolicy
{
    /// <exception cref="MediaException">The input breaks a limit; always permanent.</exception>
    public static void Enforce(SourceInfo source, InputLimits limits)
    {
        if (source.SizeBytes > limits.MaxBytes)
        {
            throw Refuse(MediaErrorKind.InputTooLarge, $"The input is {source.SizeBytes} bytes; the limit is {limits.MaxBytes}.");
        }

        if (source.Duration > limits.MaxDuration)
        {
            throw Refuse(MediaErrorKind.InputTooLong, $"The input lasts {source.Duration}; the limit is {limits.MaxDuration}.");
        }

        if (source.Video is { } video)
        {
            var pixels = (long)video.Width * video.Height;
            if (pixels > limits.MaxPixels)
            {
                throw Refuse(MediaErrorKind.InputTooLarge, $"The picture is {video.Width}x{video.Height}; at most {limits.MaxPixels} pixels per frame are accepted.");
            }

            if (video.FrameRate.ToDouble() > limits.MaxFrameRate)
            {
                throw Refuse(MediaErrorKind.InputTooLarge, $"The frame rate is {video.FrameRate.ToDouble():0.##} fps; the limit is {limits.MaxFrameRate}.");
            }

            if (!video.Decodable)
            {
                throw Refuse(MediaErrorKind.UnsupportedCodec, $"The video codec '{video.Codec}' cannot be decoded.");
            }
        }

        if (source.Audio is { Decodable: false } audio && source.Video is null)
        {
            throw Refuse(MediaErrorKind.UnsupportedCodec, $"The audio codec '{audio.Codec}' cannot be decoded.");
        }

        if (source.Duration <= TimeSpan.Zero)
        {
            throw Refuse(MediaErrorKind.InputUnreadable, "The input has no duration: it is empty or truncated.");
        }
    }

    private static MediaException Refuse(MediaErrorKind kind, string message) => new(kind, message);
}
