using System.Text.RegularExpressions;
using Platform.Connectors.Aws;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Sources;

/// <summary>
/// The AWS fields shared by <c>source: kinesis</c>, <c>sink: kinesis</c> and <c>sink: eventbridge</c>.
/// Secrets never appear in the YAML: credentials come from the environment variables that
/// <c>secret-access-key-env</c> / <c>session-token-env</c> name, else from AWS_ACCESS_KEY_ID /
/// AWS_SECRET_ACCESS_KEY, else from the profile files.
/// </summary>
/// <param name="Region">AWS region (<c>region</c>, default us-east-1).</param>
/// <param name="Endpoint">Endpoint override (<c>endpoint</c>, an http(s) URL; default the region's public endpoint).</param>
/// <param name="Profile">Profile of ~/.aws/credentials or ~/.aws/config (<c>profile</c>; default AWS_PROFILE, then "default").</param>
/// <param name="AccessKeyId">Access key id (<c>access-key-id</c>; with <c>secret-access-key-env</c>).</param>
/// <param name="SecretAccessKeyEnv">Environment variable holding the secret key (<c>secret-access-key-env</c>).</param>
/// <param name="SessionTokenEnv">Environment variable holding a session token (<c>session-token-env</c>, optional).</param>
/// <param name="MaxRetries">Retries of a whole call after a transport error, 5xx or throttle (<c>max-retries</c>, 0–100, default 4).</param>
/// <param name="RetryBaseDelay">Base of the exponential backoff with full jitter (<c>retry-base-delay</c>, default 100ms).</param>
/// <param name="RetryMaxDelay">Cap of that backoff (<c>retry-max-delay</c>, default 5s).</param>
internal sealed record AwsConnectionConfig(string Region, string? Endpoint, string? Profile, string? AccessKeyId, string? SecretAccessKeyEnv, string? SessionTokenEnv,
    int MaxRetries, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay)
{
    /// <summary>Reads the shared AWS fields; null when one of them is wrong (each error is reported).</summary>
    public static AwsConnectionConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var region = reader.String("region") ?? AwsClientOptions.DefaultRegion;
        if (!AwsConnection.Region().IsMatch(region))
            reader.Context.Error(reader.Get("region"), $"'region' must be an AWS region such as us-east-1, got '{region}'", "write e.g. 'region: eu-west-1'");
        var endpoint = reader.String("endpoint");
        if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            reader.Context.Error(reader.Get("endpoint"), $"'endpoint' must be an absolute http(s) URL, got '{endpoint}'", "write e.g. 'endpoint: http://127.0.0.1:4567' or leave it out for the region's endpoint");
        var profile = reader.String("profile");
        var keyId = reader.String("access-key-id");
        var secretEnv = reader.String("secret-access-key-env");
        var tokenEnv = reader.String("session-token-env");
        if ((keyId is null) != (secretEnv is null))
        {
            reader.Context.Error(reader.Get(keyId is null ? "secret-access-key-env" : "access-key-id"),
                "'access-key-id' and 'secret-access-key-env' go together",
                keyId is null ? "add 'access-key-id: AKIA…'" : "add 'secret-access-key-env: PLATFORM_AWS_SECRET' (the name of an environment variable, never the secret)");
        }
        if (tokenEnv is not null && keyId is null)
            reader.Context.Error(reader.Get("session-token-env"), "'session-token-env' needs 'access-key-id' and 'secret-access-key-env'", "add both, or drop 'session-token-env' to use the environment or a profile");
        foreach (var (key, value) in new[] { ("secret-access-key-env", secretEnv), ("session-token-env", tokenEnv) })
        {
            if (value is not null && !AwsConnection.EnvironmentName().IsMatch(value))
                reader.Context.Error(reader.Get(key), $"'{key}' must name an environment variable (letters, digits, '_'), got '{(value.Length > 4 ? value[..4] + "…" : value)}'", $"write e.g. '{key}: PLATFORM_AWS_SECRET' and put the secret in that variable");
        }
        var retries = reader.Int32("max-retries", AwsClientOptions.DefaultMaxRetryAttempts, 0, 100);
        var baseDelay = reader.Duration("retry-base-delay", AwsClientOptions.DefaultBaseDelay, TimeSpan.FromMilliseconds(1));
        var maxDelay = reader.Duration("retry-max-delay", AwsClientOptions.DefaultMaxDelay, TimeSpan.FromMilliseconds(1));
        if (maxDelay < baseDelay)
            reader.Context.Error(reader.Get("retry-max-delay") ?? reader.Get("retry-base-delay"), $"'retry-max-delay' ({ConfigYaml.Duration(maxDelay)}) is below 'retry-base-delay' ({ConfigYaml.Duration(baseDelay)})", "make retry-max-delay at least retry-base-delay");
        return reader.Context.Errors.Count == errors
            ? new AwsConnectionConfig(region, endpoint, profile, keyId, secretEnv, tokenEnv, retries, baseDelay, maxDelay)
            : null;
    }

    /// <summary>The fields as YAML pairs (canonical form).</summary>
    public IEnumerable<KeyValuePair<string, string>> Write()
    {
        yield return ConfigYaml.Pair("region", ConfigYaml.Text(Region));
        if (Endpoint is not null) yield return ConfigYaml.Pair("endpoint", ConfigYaml.Text(Endpoint));
        if (Profile is not null) yield return ConfigYaml.Pair("profile", ConfigYaml.Text(Profile));
        if (AccessKeyId is not null) yield return ConfigYaml.Pair("access-key-id", ConfigYaml.Text(AccessKeyId));
        if (SecretAccessKeyEnv is not null) yield return ConfigYaml.Pair("secret-access-key-env", ConfigYaml.Text(SecretAccessKeyEnv));
        if (SessionTokenEnv is not null) yield return ConfigYaml.Pair("session-token-env", ConfigYaml.Text(SessionTokenEnv));
        yield return ConfigYaml.Pair("max-retries", ConfigYaml.Number(MaxRetries));
        yield return ConfigYaml.Pair("retry-base-delay", ConfigYaml.Duration(RetryBaseDelay));
        yield return ConfigYaml.Pair("retry-max-delay", ConfigYaml.Duration(RetryMaxDelay));
    }

    /// <summary>Client options; reads the secret's environment variable now, failing with its name (never its value) when unset.</summary>
    public AwsClientOptions ToOptions(Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        AwsCredentials? credentials = null;
        if (AccessKeyId is not null && SecretAccessKeyEnv is not null)
        {
            var secret = env(SecretAccessKeyEnv);
            if (string.IsNullOrEmpty(secret))
                throw new InvalidOperationException($"Environment variable {SecretAccessKeyEnv} (secret-access-key-env) is not set; it must hold the secret key of {AccessKeyId}.");
            string? token = null;
            if (SessionTokenEnv is not null)
            {
                token = env(SessionTokenEnv);
                if (string.IsNullOrEmpty(token)) throw new InvalidOperationException($"Environment variable {SessionTokenEnv} (session-token-env) is not set.");
            }
            credentials = new AwsCredentials(AccessKeyId, secret, token);
        }
        return new AwsClientOptions
        {
            Region = Region,
            Endpoint = Endpoint is null ? null : new Uri(Endpoint),
            Profile = Profile,
            Credentials = credentials,
            MaxRetryAttempts = MaxRetries,
            BaseDelay = RetryBaseDelay,
            MaxDelay = RetryMaxDelay,
        };
    }
}

/// <summary>Patterns of the AWS fields.</summary>
internal static partial class AwsConnection
{
    /// <summary>us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-4 …</summary>
    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")]
    public static partial Regex Region();

    /// <summary>A POSIX environment variable name.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    public static partial Regex EnvironmentName();
}
