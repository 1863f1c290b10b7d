using Confluent.SchemaRegistry;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// How a schema's registry subject is named (Confluent's subject name strategies). The subject is
/// the unit of versioning and compatibility checks.
/// </summary>
public enum SubjectNaming
{
    /// <summary><c>{topic}-value</c> (or <c>-key</c>): one schema lineage per topic. The default.</summary>
    Topic,
    /// <summary><c>{record full name}</c>: one lineage per record type, shared by every topic carrying it.</summary>
    Record,
    /// <summary><c>{topic}-{record full name}</c>: several record types per topic, each with its own lineage.</summary>
    TopicRecord,
}

/// <summary>Maps <see cref="SubjectNaming"/> to Confluent's strategy and spells subjects out.</summary>
public static class SubjectNamingExtensions
{
    /// <summary>Confluent's strategy for <paramref name="naming"/>.</summary>
    public static SubjectNameStrategy ToConfluent(this SubjectNaming naming) => naming switch
    {
        SubjectNaming.Topic => SubjectNameStrategy.Topic,
        SubjectNaming.Record => SubjectNameStrategy.Record,
        SubjectNaming.TopicRecord => SubjectNameStrategy.TopicRecord,
        _ => throw new ArgumentOutOfRangeException(nameof(naming), naming, "Unknown subject naming."),
    };

    /// <summary>The subject a record of <paramref name="recordFullName"/> on <paramref name="topic"/> is registered under.</summary>
    public static string Subject(this SubjectNaming naming, string topic, string recordFullName, bool isKey = false) => naming switch
    {
        SubjectNaming.Topic => topic + (isKey ? "-key" : "-value"),
        SubjectNaming.Record => recordFullName,
        SubjectNaming.TopicRecord => topic + "-" + recordFullName,
        _ => throw new ArgumentOutOfRangeException(nameof(naming), naming, "Unknown subject naming."),
    };

    /// <summary>Parses a YAML/config spelling: <c>topic</c>, <c>record</c>, <c>topic-record</c>.</summary>
    public static bool TryParse(string text, out SubjectNaming naming)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "topic": naming = SubjectNaming.Topic; return true;
            case "record": naming = SubjectNaming.Record; return true;
            case "topic-record" or "topicrecord" or "topic_record": naming = SubjectNaming.TopicRecord; return true;
            default: naming = default; return false;
        }
    }
}
