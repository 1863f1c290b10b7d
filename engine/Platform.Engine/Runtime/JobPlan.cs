using Platform.Engine.Contracts;

namespace Platform.Engine.Runtime;

/// <summary>What the fluent API has collected so far (untyped parts).</summary>
internal sealed class JobPlan(string name, PipelineOptions options, IChunkSource source)
{
    public string Name { get; } = name;
    public PipelineOptions Options { get; } = options;
    public IChunkSource Source { get; } = source;
    public List<StageInfo> Stages { get; } = [];
    public int Workers => Options.EffectiveWorkers;
}
