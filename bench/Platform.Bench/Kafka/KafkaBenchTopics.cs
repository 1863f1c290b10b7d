namespace Platform.Bench.Kafka;

/// <summary>The topics of one round (measured or warm-up): one input, one output per engine, and Streamiz's application id.</summary>
internal sealed record KafkaBenchTopics(string Prefix)
{
    public string Input => Prefix + "-in";
    public string RawOutput => Prefix + "-raw-out";
    public string PlatformOutput => Prefix + "-platform-out";
    public string StreamizOutput => Prefix + "-streamiz-out";
    public string StreamizApplication => Prefix + "-streamiz";
}
