using Platform.Connectors.Aws;

namespace Platform.Aws.Tests.SigV4;

/// <summary>
/// AWS's SigV4 test suite (aws-sig-v4-test-suite; the copy in awslabs/aws-c-auth
/// tests/aws-signing-test-suite/v4): credentials AKIDEXAMPLE, region us-east-1, service "service",
/// time 20150830T123600Z. Each vector checks all three stages.
/// </summary>
public sealed class SigV4SuiteTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";
    private const string Scope = "20150830/us-east-1/service/aws4_request";
    private const string Empty = SigV4Signer.EmptyPayloadHash;
    private const string FormHash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
    internal const string SuiteToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    public sealed record Vector(string Name, string Method, string Path, (string, string)[] Query, (string, string)[] Headers, string PayloadHash,
        string CanonicalRequest, string StringToSignHash, string Signature)
    {
        public override string ToString() => Name;
    }

    private static readonly (string, string)[] Base = [("Host", "example.amazonaws.com"), ("X-Amz-Date", AmzDate)];

    private static string Creq(string method, string path, string query, string[] headers, string signed, string hash) =>
        $"{method}\n{path}\n{query}\n{string.Join('\n', headers)}\n\n{signed}\n{hash}";

    public static TheoryData<Vector> Vectors() => new(
        new Vector("get-vanilla", "GET", "/", [], Base, Empty,
            Creq("GET", "/", "", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new Vector("get-vanilla-query-order-key-case", "GET", "/", [("Param2", "value2"), ("Param1", "value1")], Base, Empty,
            Creq("GET", "/", "Param1=value1&Param2=value2", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        new Vector("get-vanilla-utf8-query", "GET", "/", [("ሴ", "bar")], Base, Empty,
            Creq("GET", "/", "%E1%88%B4=bar", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        new Vector("get-header-key-duplicate", "GET", "/", [], [("Host", "example.amazonaws.com"), ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), ("X-Amz-Date", AmzDate)], Empty,
            Creq("GET", "/", "", ["host:example.amazonaws.com", "my-header1:value2,value2,value1", "x-amz-date:" + AmzDate], "host;my-header1;x-amz-date", Empty),
            "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        new Vector("get-header-value-trim", "GET", "/", [], [("Host", "example.amazonaws.com"), ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\""), ("X-Amz-Date", AmzDate)], Empty,
            Creq("GET", "/", "", ["host:example.amazonaws.com", "my-header1:value1", "my-header2:\"a b c\"", "x-amz-date:" + AmzDate], "host;my-header1;my-header2;x-amz-date", Empty),
            "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        new Vector("get-utf8", "GET", "/ሴ", [], Base, Empty,
            Creq("GET", "/%E1%88%B4", "", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        new Vector("get-space-unnormalized", "GET", "/example space/", [], Base, Empty,
            Creq("GET", "/example%20space/", "", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        new Vector("post-vanilla", "POST", "/", [], Base, Empty,
            Creq("POST", "/", "", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new Vector("post-vanilla-query", "POST", "/", [("Param1", "value1")], Base, Empty,
            Creq("POST", "/", "Param1=value1", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate], "host;x-amz-date", Empty),
            "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        new Vector("post-x-www-form-urlencoded", "POST", "/", [],
            [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com"), ("Content-Length", "13"), ("X-Amz-Date", AmzDate), ("X-Amz-Content-Sha256", FormHash)], FormHash,
            Creq("POST", "/", "", ["content-length:13", "content-type:application/x-www-form-urlencoded", "host:example.amazonaws.com", "x-amz-content-sha256:" + FormHash, "x-amz-date:" + AmzDate],
                "content-length;content-type;host;x-amz-content-sha256;x-amz-date", FormHash),
            "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb", "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
        new Vector("post-sts-header-before", "POST", "/", [], [.. Base, ("X-Amz-Security-Token", SuiteToken)], Empty,
            Creq("POST", "/", "", ["host:example.amazonaws.com", "x-amz-date:" + AmzDate, "x-amz-security-token:" + SuiteToken], "host;x-amz-date;x-amz-security-token", Empty),
            "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));

    [Theory]
    [MemberData(nameof(Vectors))]
    public void CanonicalRequest_SuiteVector_MatchesPublished(Vector v)
    {
        var creq = SigV4Signer.CanonicalRequest(v.Method, v.Path, Pairs(v.Query), Pairs(v.Headers), v.PayloadHash, out _);
        Assert.Equal(v.CanonicalRequest, creq);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void StringToSign_SuiteVector_MatchesPublished(Vector v)
    {
        var sts = SigV4Signer.StringToSign(AmzDate, Scope, v.CanonicalRequest);
        Assert.Equal($"AWS4-HMAC-SHA256\n{AmzDate}\n{Scope}\n{v.StringToSignHash}", sts);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Signature_SuiteVector_MatchesPublished(Vector v)
    {
        var key = SigV4Signer.SigningKey(Secret, "20150830", "us-east-1", "service");
        Assert.Equal(v.Signature, SigV4Signer.Signature(key, SigV4Signer.StringToSign(AmzDate, Scope, v.CanonicalRequest)));
    }

    [Fact]
    public void Sign_GetVanilla_ProducesPublishedAuthorizationHeader()
    {
        var signer = new SigV4Signer("us-east-1", "service");
        var h = signer.Sign(new AwsCredentials("AKIDEXAMPLE", Secret), "GET", new Uri("https://example.amazonaws.com/"), [], [], new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", h.Authorization);
        Assert.Equal(AmzDate, h.AmzDate);
        Assert.Null(h.SecurityToken);
    }

    [Fact]
    public void Sign_SessionToken_SignsTokenAsPostStsHeaderBefore()
    {
        var signer = new SigV4Signer("us-east-1", "service");
        var h = signer.Sign(new AwsCredentials("AKIDEXAMPLE", Secret, SuiteToken), "POST", new Uri("https://example.amazonaws.com/"), [], [], new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));
        Assert.EndsWith("SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead", h.Authorization);
        Assert.Equal(SuiteToken, h.SecurityToken);
    }

    [Fact]
    public void Sign_QueryInUri_MatchesGetVanillaQueryOrderKeyCase()
    {
        var signer = new SigV4Signer("us-east-1", "service");
        var h = signer.Sign(new AwsCredentials("AKIDEXAMPLE", Secret), "GET", new Uri("https://example.amazonaws.com/?Param2=value2&Param1=value1"), [], [], new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));
        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", h.Authorization);
    }

    private static IEnumerable<KeyValuePair<string, string>> Pairs((string, string)[] pairs) => pairs.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2));
}
