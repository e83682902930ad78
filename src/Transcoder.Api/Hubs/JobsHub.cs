using Microsoft.AspNetCore.SignalR;
using Transcoder.Abstractions;
using Transcoder.Api.Auth;

namespace Transcoder.Api.Hubs;

/// <summary>
/// Live job progress. A client calls <c>Watch(jobId)</c>; it then receives <c>progress</c> messages: first a
/// snapshot of the job, then every change, ending with the terminal status. Only the job's tenant may watch it.
/// Every connection also gets <c>jobCreated</c> with each new job of its tenant, wherever it was submitted.
/// </summary>
public sealed class JobsHub(IClusterClient cluster, JobWatchService watches, TenantFeed feed) : Hub
{
    public const string ProgressMethod = "progress";

    public async Task Watch(string jobId)
    {
        var id = await AuthorizeAsync(jobId);
        WatchedJobs().Add(id);
        await watches.AddAsync(id, Context.ConnectionId, () => cluster.GetGrain<ITranscodeJobGrain>(id).GetAsync());
    }

    public override async Task OnConnectedAsync()
    {
        var tenant = Context.User!.Tenant();
        await Groups.AddToGroupAsync(Context.ConnectionId, TenantFeed.Group(tenant));
        await feed.JoinAsync(tenant);
        await base.OnConnectedAsync();
    }

    public async Task Unwatch(string jobId)
    {
        if (!Guid.TryParseExact(jobId, "D", out var id) || !WatchedJobs().Remove(id))
        {
            return;
        }

        await watches.RemoveAsync(id, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await feed.LeaveAsync(Context.User!.Tenant());
        foreach (var id in WatchedJobs())
        {
            await watches.RemoveAsync(id, Context.ConnectionId);
        }

        await base.OnDisconnectedAsync(exception);
    }

    private async Task<Guid> AuthorizeAsync(string jobId)
    {
        // The same answer for a malformed id, a missing job and another tenant's job.
        if (Guid.TryParseExact(jobId, "D", out var id)
            && await cluster.GetGrain<ITranscodeJobGrain>(id).GetAsync() is { } job
            && job.Tenant == Context.User!.Tenant())
        {
            return id;
        }

        throw new HubException("Job not found.");
    }

    private HashSet<Guid> WatchedJobs()
    {
        if (Context.Items.TryGetValue(nameof(WatchedJobs), out var value) && value is HashSet<Guid> set)
        {
            return set;
        }

        var created = new HashSet<Guid>();
        Context.Items[nameof(WatchedJobs)] = created;
        return created;
    }
}
