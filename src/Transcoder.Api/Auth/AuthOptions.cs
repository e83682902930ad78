using System.ComponentModel.DataAnnotations;

namespace Transcoder.Api.Auth;

/// <summary>How bearer tokens are validated. Section "Auth".</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Expected issuer (iss). Required.</summary>
    [Required(ErrorMessage = "Auth:Issuer is required.")]
    public string Issuer { get; set; } = "";

    /// <summary>Expected audience (aud). Required.</summary>
    [Required(ErrorMessage = "Auth:Audience is required.")]
    public string Audience { get; set; } = "";

    /// <summary>
    /// Base64 HMAC-SHA256 keys tokens may be signed with (several, to rotate). At least one, each 32+ bytes.
    /// </summary>
    [MinLength(1, ErrorMessage = "Auth:SigningKeys needs at least one key.")]
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Tolerated clock difference. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
