using Orleans.Concurrency;
using Transcoder.Abstractions;

namespace Transcoder.Grains.Intake;

/// <summary>
/// The entry point of new jobs on each silo. Stateless and reentrant: every call waits on the silo's
/// <see cref="JobIntake"/>, so concurrent submissions share its commits instead of queueing behind each other.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class JobIntakeGrain(JobIntake intake) : Grain, IJobIntakeGrain
{
    public async Task<SubmissionOutcome[]> SubmitManyAsync(JobSubmission[] submissions)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(submissions.Length, IJobIntakeGrain.MaxBatch);
        var stored = Array.ConvertAll(submissions, s => intake.SubmitAsync(s.Id, s.Spec));
        var outcomes = new SubmissionOutcome[stored.Length];
        for (var i = 0; i < stored.Length; i++)
        {
            try
            {
                outcomes[i] = new SubmissionOutcome(await stored[i]);
            }
            catch (JobConflictException ex)
            {
                outcomes[i] = new SubmissionOutcome(null, SubmissionError.Conflict, ex.Message);
            }
            catch (JobsInFlightCapException ex)
            {
                outcomes[i] = new SubmissionOutcome(null, SubmissionError.TooManyJobsInFlight, ex.Message);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The commit failed (the database is down, the silo stopping): nothing of it is stored.
                outcomes[i] = new SubmissionOutcome(null, SubmissionError.Unavailable, ex.Message);
            }
        }

        return outcomes;
    }
}
