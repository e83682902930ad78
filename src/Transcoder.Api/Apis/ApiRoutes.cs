namespace Transcoder.Api.Apis;

/// <summary>Where the API's routes are: every route of the first version under one prefix, and the links it hands out.</summary>
public static class ApiRoutes
{
    public const string V1 = "/v1";

    /// <summary>A job's own URL, as the Location of a submission.</summary>
    public static string Job(Guid id) => $"{V1}/jobs/{id:D}";

    /// <summary>An upload's status URL, as the Location of its creation.</summary>
    public static string Upload(Guid id, string uploadId) => $"{V1}/uploads/{id:D}?uploadId={Uri.EscapeDataString(uploadId)}";
}
