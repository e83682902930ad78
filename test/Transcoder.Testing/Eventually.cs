namespace Transcoder.Testing;

/// <summary>
/// The one way tests wait: poll a signal until it holds, up to a deadline, then fail saying what never happened and
/// what was seen last. Never a fixed sleep standing in for the signal.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    /// <exception cref="TimeoutException">It was still false after <paramref name="within"/>.</exception>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string because, TimeSpan? every = null) =>
        await ValueAsync(condition, ok => ok, within, because, every);

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?)"/>
    public static Task TrueAsync(Func<bool> condition, TimeSpan within, string because, TimeSpan? every = null) =>
        TrueAsync(() => Task.FromResult(condition()), within, because, every);

    /// <summary>Reads a value until <paramref name="done"/> says it is the one awaited; returns it.</summary>
    /// <exception cref="TimeoutException">No value read within <paramref name="within"/> was; the message shows the last.</exception>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string? because = null, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{because ?? "The awaited value never came"} within {within}; last seen: {value}");
            }

            await Task.Delay(every ?? DefaultPoll, CancellationToken.None);
        }
    }
}
