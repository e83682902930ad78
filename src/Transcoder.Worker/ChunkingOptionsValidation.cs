using Microsoft.Extensions.Options;
using Transcoder.Media;
using Transcoder.Media.Chunking;

namespace Transcoder.Worker;

/// <summary>Chunk edges must be segment edges: the chunk lengths are whole numbers of the ladder's segments, the first no longer than the rest.</summary>
internal sealed class ChunkingOptionsValidation(IOptions<LadderOptions> ladder) : IValidateOptions<ChunkingOptions>
{
    public ValidateOptionsResult Validate(string? name, ChunkingOptions options)
    {
        var segment = ladder.Value.SegmentSeconds;
        var failures = new List<string>();
        if (segment > 0 && options.ChunkSeconds % segment != 0)
        {
            failures.Add($"Chunking:ChunkSeconds ({options.ChunkSeconds}) must be a multiple of Ladder:SegmentSeconds ({segment}), so chunk edges are segment edges.");
        }

        if (segment > 0 && options.FirstChunkSeconds % segment != 0)
        {
            failures.Add($"Chunking:FirstChunkSeconds ({options.FirstChunkSeconds}) must be a multiple of Ladder:SegmentSeconds ({segment}).");
        }

        if (options.FirstChunkSeconds > options.ChunkSeconds)
        {
            failures.Add($"Chunking:FirstChunkSeconds ({options.FirstChunkSeconds}) must not exceed Chunking:ChunkSeconds ({options.ChunkSeconds}).");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
