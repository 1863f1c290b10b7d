using System.Net;
using Platform.Connectors.Aws;

namespace Platform.Aws.Tests.Infrastructure;

/// <summary>Server-side SigV4 check: rebuilds the canonical request from what arrived and compares signatures.</summary>
internal static class SignatureVerifier
{
    /// <summary>Null when the signature is right, else why not.</summary>
    public static string? Verify(HttpListenerRequest request, byte[] body, string secret, string region, string service)
    {
        var auth = request.Headers["Authorization"];
        if (auth is null || !auth.StartsWith(SigV4Signer.Algorithm + " ", StringComparison.Ordinal)) return "no AWS4-HMAC-SHA256 Authorization header";
        var parts = auth[(SigV4Signer.Algorithm.Length + 1)..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var credential = parts["Credential"].Split('/');
        if (credential.Length != 5 || credential[2] != region || credential[3] != service || credential[4] != "aws4_request") return $"bad credential scope {parts["Credential"]}";
        var signedHeaders = parts["SignedHeaders"].Split(';');
        foreach (var required in new[] { "host", "x-amz-date", "x-amz-target" })
        {
            if (!signedHeaders.Contains(required)) return $"{required} not signed";
        }
        var headers = signedHeaders.Select(h => new KeyValuePair<string, string>(h, request.Headers[h] ?? string.Empty)).ToList();
        var canonical = SigV4Signer.CanonicalRequest(request.HttpMethod, request.Url!.AbsolutePath, SigV4Signer.ParseQuery(request.Url.Query), headers, SigV4Signer.HashHex(body), out var signed);
        if (signed != parts["SignedHeaders"]) return $"SignedHeaders {parts["SignedHeaders"]} not sorted/lower-case";
        var amzDate = request.Headers["X-Amz-Date"]!;
        if (amzDate[..8] != credential[1]) return "date in scope differs from X-Amz-Date";
        var expected = SigV4Signer.Signature(SigV4Signer.SigningKey(secret, credential[1], region, service),
            SigV4Signer.StringToSign(amzDate, SigV4Signer.Scope(credential[1], region, service), canonical));
        return expected == parts["Signature"] ? null : "signature mismatch";
    }
}
