using Platform.Connectors.Aws;

namespace Platform.Aws.Tests.SigV4;

public sealed class CredentialsTests
{
    [Fact]
    public void ToString_WithSecretAndToken_RedactsBoth()
    {
        var c = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKENVALUE123");
        var s = c.ToString();
        Assert.DoesNotContain("wJalr", s, StringComparison.Ordinal);
        Assert.DoesNotContain("TOKENVALUE", s, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIDEXAM", s, StringComparison.Ordinal);
        Assert.Contains("MPLE", s, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EnvironmentVariables_WinOverProfile()
    {
        var env = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIDENV", ["AWS_SECRET_ACCESS_KEY"] = "secretenv", ["AWS_SESSION_TOKEN"] = "tok" };
        var c = AwsCredentialsResolver.Resolve(environment: k => env.GetValueOrDefault(k));
        Assert.Equal("AKIDENV", c.AccessKeyId);
        Assert.Equal("tok", c.SessionToken);
    }

    [Fact]
    public void Resolve_ProfileFile_ReadsNamedProfile()
    {
        var dir = Directory.CreateTempSubdirectory("aws-cred-");
        try
        {
            var file = Path.Combine(dir.FullName, "credentials");
            File.WriteAllText(file, "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[prod]\naws_access_key_id=AKIDPROD\naws_secret_access_key=s2\naws_session_token=t2\n");
            var env = new Dictionary<string, string?> { ["AWS_SHARED_CREDENTIALS_FILE"] = file, ["AWS_PROFILE"] = "prod", ["HOME"] = dir.FullName };
            var c = AwsCredentialsResolver.Resolve(environment: k => env.GetValueOrDefault(k));
            Assert.Equal("AKIDPROD", c.AccessKeyId);
            Assert.Equal("s2", c.SecretAccessKey);
            Assert.Equal("t2", c.SessionToken);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void FromProfileText_ConfigFileProfilePrefix_IsRecognised()
    {
        var c = AwsCredentialsResolver.FromProfileText("[profile dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=x\n", "dev", isConfigFile: true);
        Assert.Equal("AKIDDEV", c?.AccessKeyId);
    }

    [Fact]
    public void Resolve_NothingConfigured_ThrowsWithoutSecrets()
    {
        var env = new Dictionary<string, string?> { ["HOME"] = "/nonexistent-home", ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/c", ["AWS_CONFIG_FILE"] = "/nonexistent/f" };
        var e = Assert.Throws<InvalidOperationException>(() => AwsCredentialsResolver.Resolve(environment: k => env.GetValueOrDefault(k)));
        Assert.Contains("AWS_ACCESS_KEY_ID", e.Message, StringComparison.Ordinal);
    }
}
