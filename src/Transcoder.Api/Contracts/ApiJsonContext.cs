using System.Text.Json.Serialization;
using Transcoder.Contracts;

namespace Transcoder.Api.Contracts;

/// <summary>
/// Serialization code generated at build time for the API's responses: writing a job by reflection-driven
/// metadata cost an eighth of a submission's CPU in the API. The HTTP JSON options (web defaults, enums as
/// strings) still apply.
/// </summary>
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(JobListResponse))]
[JsonSerializable(typeof(QueueResponse))]
[JsonSerializable(typeof(ProgressMessage))]
[JsonSerializable(typeof(UploadResponse))]
[JsonSerializable(typeof(PartUrlResponse))]
[JsonSerializable(typeof(UploadStatusResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
