using Transcoder.Abstractions;

namespace Transcoder.Api.Hubs;

/// <summary>
/// The connections watching one job, and what each was last sent. A message goes to a connection only if it is newer
/// than what that connection already has (events carry when the job changed, which only grows), so a snapshot read
/// before an event that overtook it, or an event delivered late, never takes a viewer back.
/// </summary>
/// <param name="send">Sends one message to one connection.</param>
internal sealed class WatchedJob(Func<string, JobProgressEvent, Task> send) : IDisposable
{
    private readonly Dictionary<string, DateTimeOffset> _sent = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public int Watchers
    {
        get
        {
            lock (_sent)
            {
                return _sent.Count;
            }
        }
    }

    /// <summary>Registers a connection; from now on every newer event reaches it. False if it was registered already.</summary>
    public bool Add(string connectionId)
    {
        lock (_sent)
        {
            return _sent.TryAdd(connectionId, DateTimeOffset.MinValue);
        }
    }

    /// <summary>Unregisters a connection; true if it was the last.</summary>
    public bool Remove(string connectionId)
    {
        lock (_sent)
        {
            _sent.Remove(connectionId);
            return _sent.Count == 0;
        }
    }

    /// <summary>Sends an event to every connection that has nothing newer.</summary>
    public Task ForwardAsync(JobProgressEvent e) => SendAsync(null, e);

    /// <summary>Sends the job as it stands to one connection, unless it already has something newer.</summary>
    public Task OfferAsync(string connectionId, JobProgressEvent snapshot) => SendAsync(connectionId, snapshot);

    private async Task SendAsync(string? only, JobProgressEvent e)
    {
        // One send at a time per job: messages to a connection leave in the order they are decided.
        await _gate.WaitAsync();
        try
        {
            List<string> due;
            lock (_sent)
            {
                due = [.. _sent.Where(c => (only is null || c.Key == only) && c.Value < e.At).Select(c => c.Key)];
                foreach (var connection in due)
                {
                    _sent[connection] = e.At;
                }
            }

            foreach (var connection in due)
            {
                await send(connection, e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
