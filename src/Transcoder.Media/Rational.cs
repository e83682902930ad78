using System.Globalization;

namespace Transcoder.Media;

/// <summary>An exact fraction, as ffprobe writes rates and aspect ratios ("30000/1001", "16:9").</summary>
public readonly record struct Rational(long Numerator, long Denominator)
{
    public static Rational Zero { get; } = new(0, 1);

    public static Rational One { get; } = new(1, 1);

    public bool IsPositive => Numerator > 0 && Denominator > 0;

    public double ToDouble() => Denominator == 0 ? 0 : (double)Numerator / Denominator;

    /// <summary>The same value in lowest terms.</summary>
    public Rational Reduce()
    {
        if (Denominator == 0)
        {
            return this;
        }

        var gcd = Gcd(Math.Abs(Numerator), Math.Abs(Denominator));
        return gcd == 0 ? this : new Rational(Numerator / gcd, Denominator / gcd);
    }

    /// <summary>Parses "a/b" or "a:b"; anything else, or a zero denominator, gives <see cref="Zero"/>.</summary>
    public static Rational Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Zero;
        }

        var separator = text.IndexOfAny(['/', ':']);
        if (separator < 0)
        {
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? new Rational(whole, 1) : Zero;
        }

        if (long.TryParse(text.AsSpan(0, separator), NumberStyles.Integer, CultureInfo.InvariantCulture, out var numerator)
            && long.TryParse(text.AsSpan(separator + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var denominator)
            && denominator != 0)
        {
            return new Rational(numerator, denominator);
        }

        return Zero;
    }

    /// <summary>"a/b", as ffmpeg filters take it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
