namespace Transcoder.ServiceDefaults.Tests;

public sealed class BatchingQueueTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ItemsArrivingWhileABatchIsProcessed_GoTogetherInTheNextBatch()
    {
        var batches = new List<int[]>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new BatchingQueue<int, string>(async batch =>
        {
            lock (batches)
            {
                batches.Add([.. batch.Select(e => e.Item)]);
            }

            if (batch[0].Item == 0)
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }

            foreach (var entry in batch)
            {
                entry.Complete($"#{entry.Item}");
            }
        }, maxBatch: 3);
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(stop.Token);

        Assert.True(queue.TryAdd(0, out var first));
        await firstStarted.Task.WaitAsync(Limit);
        var later = Enumerable.Range(1, 5).Select(i => queue.TryAdd(i, out var result) ? result : throw new InvalidOperationException()).ToArray();
        releaseFirst.SetResult();

        Assert.Equal("#0", await first.WaitAsync(Limit));
        Assert.Equal(["#1", "#2", "#3", "#4", "#5"], await Task.WhenAll(later).WaitAsync(Limit));
        await stop.CancelAsync();
        await running.WaitAsync(Limit);
        Assert.Equal([[0], [1, 2, 3], [4, 5]], batches);
    }

    [Fact]
    public async Task AFailedBatch_FailsEveryUnansweredItem_AndAnItemLeftOpenFails()
    {
        var queue = new BatchingQueue<int, int>(batch =>
        {
            if (batch.Any(e => e.Item == 1))
            {
                batch[0].Complete(10);
                throw new TimeoutException("database down");
            }

            // Item 3 is left without an answer.
            batch.Single(e => e.Item == 2).Complete(2);
            return Task.CompletedTask;
        }, maxBatch: 2);
        using var stop = new CancellationTokenSource();
        Assert.True(queue.TryAdd(0, out var answered));
        Assert.True(queue.TryAdd(1, out var failed));
        Assert.True(queue.TryAdd(2, out var second));
        Assert.True(queue.TryAdd(3, out var forgotten));
        var running = queue.RunAsync(stop.Token);

        Assert.Equal(10, await answered.WaitAsync(Limit));
        Assert.Equal("database down", (await Assert.ThrowsAsync<TimeoutException>(() => failed.WaitAsync(Limit))).Message);
        Assert.Equal(2, await second.WaitAsync(Limit));
        await Assert.ThrowsAsync<InvalidOperationException>(() => forgotten.WaitAsync(Limit));
        await stop.CancelAsync();
        await running.WaitAsync(Limit);
    }

    [Fact]
    public async Task Stopping_AnswersWhatWasAccepted_ThenRefusesNewItems()
    {
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new BatchingQueue<int, int>(async batch =>
        {
            if (batch[0].Item == 0)
            {
                inFlight.SetResult();
                await release.Task;
            }

            foreach (var entry in batch)
            {
                entry.Complete(entry.Item * 2);
            }
        }, maxBatch: 1, concurrency: 1);
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(stop.Token);
        Assert.True(queue.TryAdd(0, out var first));
        await inFlight.Task.WaitAsync(Limit);
        Assert.True(queue.TryAdd(1, out var waiting));
        await stop.CancelAsync();

        Assert.False(running.IsCompleted, "stopping waits for the batch in flight");
        release.SetResult();
        await running.WaitAsync(Limit);
        Assert.Equal(0, await first.WaitAsync(Limit));
        Assert.Equal(2, await waiting.WaitAsync(Limit));
        Assert.False(queue.TryAdd(2, out _));
    }
}
