using Microsoft.Extensions.Options;
using Transcoder.Media;
using Transcoder.Media.Chunking;

namespace Transcoder.Worker;

/// <summary>Chunk edges must be segment edges: the chunk length is a whole number of the ladder's segments.</summary>
internal sealed class ChunkingOptionsValidation(IOptions<LadderOptions> ladder) : IValidateOptions<ChunkingOptions>
{
    public ValidateOptionsResult Validate(string? name, ChunkingOptions options)
    {
        var segment = ladder.Value.SegmentSeconds;
        return segment > 0 && options.ChunkSeconds % segment != 0
            ? ValidateOptionsResult.Fail($"Chunking:ChunkSeconds ({options.ChunkSeconds}) must be a multiple of Ladder:SegmentSeconds ({segment}), so chunk edges are segment edges.")
            : ValidateOptionsResult.Success;
    }
}
