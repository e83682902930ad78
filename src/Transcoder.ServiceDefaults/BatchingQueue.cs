using System.Threading.Channels;

namespace Transcoder.ServiceDefaults;

/// <summary>
/// Group commit: items that arrive while earlier batches are being processed wait in memory and are then
/// processed together, and each caller's task completes with its own result. Under a burst the batches grow
/// and the cost per item falls; a lone item is processed at once. Both ends of a submission use it: the API
/// sends one grain call per batch, the silo commits one transaction per batch.
/// </summary>
/// <typeparam name="TItem">What callers add.</typeparam>
/// <typeparam name="TResult">What each caller gets back.</typeparam>
/// <param name="process">
/// Processes one batch, completing or failing each entry. Entries it leaves open when it returns are failed;
/// if it throws, every entry it did not complete fails with that exception.
/// </param>
/// <param name="maxBatch">Most items in one batch.</param>
/// <param name="concurrency">Most batches processed at once.</param>
public sealed class BatchingQueue<TItem, TResult>(
    Func<IReadOnlyList<BatchEntry<TItem, TResult>>, Task> process, int maxBatch, int concurrency = 1)
{
    private readonly Channel<BatchEntry<TItem, TResult>> _entries =
        Channel.CreateUnbounded<BatchEntry<TItem, TResult>>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);

    /// <summary>Adds an item; false once the queue has stopped taking items.</summary>
    /// <param name="item">The item.</param>
    /// <param name="result">Completes when the item's batch has been processed.</param>
    public bool TryAdd(TItem item, out Task<TResult> result)
    {
        var entry = new BatchEntry<TItem, TResult>(item);
        result = entry.Result;
        return _entries.Writer.TryWrite(entry);
    }

    /// <summary>
    /// Processes batches until <paramref name="stoppingToken"/> is canceled; then stops taking items, processes
    /// what was already added and returns once every batch is done, so nothing accepted goes unanswered.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _entries.Reader.WaitToReadAsync(stoppingToken))
            {
                await _slots.WaitAsync(stoppingToken);
                StartNextBatch();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: drain below.
        }

        _entries.Writer.TryComplete();
        do
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
        while (StartNextBatch());

        // Every batch still in flight holds a slot: having them all means all are done.
        for (var i = 0; i < concurrency; i++)
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
    }

    /// <summary>Takes the next batch and processes it in the background, holding a slot; false (and the slot freed) if there is none.</summary>
    private bool StartNextBatch()
    {
        var batch = new List<BatchEntry<TItem, TResult>>();
        while (batch.Count < maxBatch && _entries.Reader.TryRead(out var entry))
        {
            batch.Add(entry);
        }

        if (batch.Count == 0)
        {
            _slots.Release();
            return false;
        }

        _ = ProcessAsync(batch);
        return true;
    }

    private async Task ProcessAsync(List<BatchEntry<TItem, TResult>> batch)
    {
        try
        {
            await process(batch);
            foreach (var entry in batch)
            {
                entry.Fail(new InvalidOperationException("The batch was processed without an answer for this item."));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            foreach (var entry in batch)
            {
                entry.Fail(ex);
            }
        }
        finally
        {
            _slots.Release();
        }
    }
}

/// <summary>One caller's item in a <see cref="BatchingQueue{TItem, TResult}"/>; the first answer wins.</summary>
public sealed class BatchEntry<TItem, TResult>
{
    private readonly TaskCompletionSource<TResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal BatchEntry(TItem item) => Item = item;

    public TItem Item { get; }

    internal Task<TResult> Result => _result.Task;

    public void Complete(TResult result) => _result.TrySetResult(result);

    public void Fail(Exception exception) => _result.TrySetException(exception);
}
