using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>An ffmpeg that hangs (stopped with SIGSTOP) on a silo whose encodes may run 4 s plus their input's length.</summary>
public sealed class HungFfmpegTests : IAsyncLifetime
{
    private readonly string _tenant = $"hang-{Guid.NewGuid():N}"[..16];
    private readonly string _folder = TestStack.NewScratchFolder("hung");
    private FaultCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await FaultCluster.StartAsync(silos: 1, settings: new Dictionary<string, string>
    {
        ["Media__EncodeTimeFloor"] = "00:00:04",
        ["Media__EncodeTimeFactor"] = "1",
    });

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_folder, true);
    }

    /// <summary>
    /// Each attempt's ffmpeg hangs once it has started: the wall-clock limit kills it, the job is retried, and
    /// after its last attempt it is a dead letter whose error says the encode ran past its limit.
    /// </summary>
    [Fact]
    public async Task HungFfmpeg_IsKilledAtItsLimit_RetriedThenDeadLettered()
    {
        var id = Guid.NewGuid();
        var clip = await TestClips.VideoAsync(_folder, 640, 360, 2);
        var source = ObjectKeys.Source(_tenant, id);
        await _cluster.Store.PutFileAsync(source, clip, "video/mp4", CancellationToken.None);
        await _cluster.Client.GetGrain<IJobIntakeGrain>(0).SubmitAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5, MaxAttempts: 2));

        var hung = new List<int>();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var ffmpeg = await Eventually.ValueAsync(() => Task.FromResult(TestProcesses.FfmpegOf(id)), pid => pid is not null && !hung.Contains(pid.Value),
                TimeSpan.FromMinutes(1), $"attempt {attempt} never started ffmpeg", TimeSpan.FromMilliseconds(20));

            await TestClips.RunAsync("kill", ["-STOP", ffmpeg!.Value.ToString(CultureInfo.InvariantCulture)]);
            hung.Add(ffmpeg.Value);
        }

        var job = await _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(2));

        Assert.Equal((JobStatus.Failed, 2), (job.Status, job.Attempts));
        Assert.Equal(JobErrorCodes.EncodeTimedOut, job.Error!.Code);
        Assert.Contains("longer than its limit", job.Error.Message, StringComparison.Ordinal);
        Assert.NotNull(job.DeadLetteredAt);
        Assert.All(hung, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"hung ffmpeg {pid} is still there"));

        // Every line the silo logged about the job (submitted, runs, failures, retries, the dead letter) carries
        // the job's scope: its id and its tenant.
        var lines = _cluster.Silo("silo-a").LogLines().Where(l => l.Contains(id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 5, $"{lines.Count} lines about the job");
        Assert.All(lines, line => Assert.Contains($"\"JobId\":\"{id}\",\"Tenant\":\"{_tenant}\"}}", line, StringComparison.Ordinal));
    }
}
