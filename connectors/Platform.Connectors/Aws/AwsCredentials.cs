namespace Platform.Connectors.Aws;

/// <summary>
/// An AWS access key pair and optional session token. <see cref="ToString"/> never shows the secret
/// or the token, so credentials can be logged by accident without leaking.
/// </summary>
public sealed class AwsCredentials
{
    /// <summary>Creates credentials; <paramref name="sessionToken"/> is set for temporary (STS) credentials.</summary>
    public AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
    }

    /// <summary>The access key id (AKIA…, ASIA…).</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The session token of temporary credentials, sent as <c>X-Amz-Security-Token</c>.</summary>
    public string? SessionToken { get; }

    /// <summary>The access key id with all but its last four characters masked; no secret, no token.</summary>
    public override string ToString()
    {
        var id = AccessKeyId.Length <= 4 ? "****" : new string('*', AccessKeyId.Length - 4) + AccessKeyId[^4..];
        return $"AwsCredentials(AccessKeyId={id}, SecretAccessKey=<redacted>, SessionToken={(SessionToken is null ? "<none>" : "<redacted>")})";
    }
}
