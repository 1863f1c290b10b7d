using System.Numerics;
using Platform.Connectors.Aws;
using Platform.Connectors.Aws.Kinesis;

namespace Platform.Aws.Tests.Kinesis;

/// <summary>kinesis-local, started by tests/services/kinesis-local.sh; each test makes its own uniquely named stream.</summary>
internal static class KinesisLocal
{
    public static AwsClientOptions Client()
    {
        var endpoint = Environment.GetEnvironmentVariable("PLATFORM_TEST_KINESIS_ENDPOINT");
        Assert.False(string.IsNullOrEmpty(endpoint),
            "PLATFORM_TEST_KINESIS_ENDPOINT is not set: run the tests through tests/run.sh, which starts kinesis-local (tests/services/kinesis-local.sh).");
        return new AwsClientOptions
        {
            Endpoint = new Uri(endpoint!),
            Region = "us-east-1",
            Credentials = new AwsCredentials("AKIDLOCALTEST", "local-test-secret"),
            BaseDelay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(500),
            // kinesis-local is single-threaded and shares a loaded machine: a PutRecords that times out on our
            // side may still be stored, and its retry would then duplicate records, so wait long rather than retry.
            AttemptTimeout = TimeSpan.FromMinutes(3),
        };
    }

    public static async Task<string> CreateStreamAsync(KinesisClient client, int shards, CancellationToken ct)
    {
        var name = "platform-test-" + Guid.NewGuid().ToString("N")[..12];
        await client.CreateStreamAsync(name, shards, ct);
        await client.WaitForActiveAsync(name, TimeSpan.FromSeconds(30), ct);
        return name;
    }

    public static string MidHashKey(KinesisShard shard) =>
        ((BigInteger.Parse(shard.StartingHashKey, System.Globalization.CultureInfo.InvariantCulture)
          + BigInteger.Parse(shard.EndingHashKey, System.Globalization.CultureInfo.InvariantCulture)) / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
