namespace Platform.Connectors.Aws;

/// <summary>
/// Finds credentials the way the AWS tools do, first match wins: the pipeline config, the
/// environment (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>), the
/// shared credentials file (<c>AWS_SHARED_CREDENTIALS_FILE</c> or <c>~/.aws/credentials</c>), then the
/// config file (<c>AWS_CONFIG_FILE</c> or <c>~/.aws/config</c>), using profile <c>AWS_PROFILE</c> or "default".
/// </summary>
public static class AwsCredentialsResolver
{
    /// <summary>Resolves credentials or throws with what was tried (never with a secret).</summary>
    /// <param name="configured">Credentials from the pipeline config, used when set.</param>
    /// <param name="profile">Profile name; defaults to <c>AWS_PROFILE</c>, then "default".</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public static AwsCredentials Resolve(AwsCredentials? configured = null, string? profile = null, Func<string, string?>? environment = null)
    {
        if (configured is not null) return configured;
        var env = environment ?? Environment.GetEnvironmentVariable;
        if (FromEnvironment(env) is { } e) return e;
        profile ??= env("AWS_PROFILE") is { Length: > 0 } p ? p : "default";
        var home = env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var credentialsFile = env("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } cf ? cf : Path.Combine(home, ".aws", "credentials");
        if (File.Exists(credentialsFile) && FromProfileText(File.ReadAllText(credentialsFile), profile, isConfigFile: false) is { } c) return c;
        var configFile = env("AWS_CONFIG_FILE") is { Length: > 0 } f ? f : Path.Combine(home, ".aws", "config");
        if (File.Exists(configFile) && FromProfileText(File.ReadAllText(configFile), profile, isConfigFile: true) is { } k) return k;
        throw new InvalidOperationException(
            $"No AWS credentials: set them in the pipeline config, in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or in profile '{profile}' of {credentialsFile} or {configFile}.");
    }

    /// <summary>Credentials from the standard environment variables, or null when they are not both set.</summary>
    public static AwsCredentials? FromEnvironment(Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var id = env("AWS_ACCESS_KEY_ID");
        var secret = env("AWS_SECRET_ACCESS_KEY");
        return string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret) ? null : new AwsCredentials(id, secret, env("AWS_SESSION_TOKEN"));
    }

    /// <summary>
    /// Credentials of <paramref name="profile"/> in the INI text of a credentials file (<c>[name]</c>) or a
    /// config file (<c>[profile name]</c>, or <c>[default]</c>); null when the profile has no key pair.
    /// </summary>
    public static AwsCredentials? FromProfileText(string text, string profile, bool isConfigFile)
    {
        string? section = null, id = null, secret = null, token = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim();
                if (isConfigFile && section.StartsWith("profile ", StringComparison.Ordinal)) section = section[8..].Trim();
                continue;
            }
            if (section != profile) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            switch (key)
            {
                case "aws_access_key_id": id = value; break;
                case "aws_secret_access_key": secret = value; break;
                case "aws_session_token": token = value; break;
            }
        }
        return string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret) ? null : new AwsCredentials(id, secret, token);
    }
}
