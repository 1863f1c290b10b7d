using Microsoft.ML;

namespace Platform.Operators.Churn;

/// <summary>
/// The model a pipeline scores with, picked up without a restart: the file is checked every poll interval (size
/// and write time) and reloaded when it changed; a file that fails to load is reported and the previous model
/// stays. Without a path, or while the file does not exist, <see cref="Current"/> is null and the rules serve.
/// Thread-safe: workers read <see cref="Current"/> and build their own prediction engines from it.
/// </summary>
public sealed class ChurnModelSource : IDisposable
{
    private readonly string? _path;
    private readonly Action<string> _log;
    private readonly Timer? _timer;
    private readonly object _gate = new();
    private ChurnModel? _current;
    private (long Length, DateTime Written) _seen;
    private int _generation;

    /// <summary>Creates a source over <paramref name="path"/> (null: rules only) and loads it once now.</summary>
    public ChurnModelSource(string? path, TimeSpan pollInterval, Action<string>? log = null)
    {
        _path = path is null ? null : Path.GetFullPath(path);
        _log = log ?? (_ => { });
        Context = new MLContext(seed: 0);
        if (_path is null) return;
        Refresh();
        if (pollInterval > TimeSpan.Zero) _timer = new Timer(_ => Refresh(), null, pollInterval, pollInterval);
    }

    /// <summary>The ML.NET context models are loaded in.</summary>
    public MLContext Context { get; }

    /// <summary>The model file, or null when none is configured.</summary>
    public string? ModelPath => _path;

    /// <summary>The model to score with; null: use the rules.</summary>
    public ChurnModel? Current => Volatile.Read(ref _current);

    /// <summary>Increments whenever <see cref="Current"/> changes.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Checks the file now and reloads it when it changed; true when a new model was loaded.</summary>
    public bool Refresh()
    {
        if (_path is null) return false;
        lock (_gate)
        {
            var file = new FileInfo(_path);
            if (!file.Exists) return false;
            var stamp = (file.Length, file.LastWriteTimeUtc);
            if (stamp == _seen) return false;
            _seen = stamp;
            try
            {
                var model = ChurnModelFile.Load(Context, _path);
                Volatile.Write(ref _current, model);
                Interlocked.Increment(ref _generation);
                _log($"churn model {model.Info.Version} loaded from {_path}");
                return true;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or FormatException or ArgumentException or System.Text.Json.JsonException)
            {
                _log($"churn model {_path} not loaded ({e.Message}); keeping {(_current is null ? "the rules" : _current.Info.Version)}");
                return false;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();
}

/// <summary>
/// A worker's scorer: the current model through a prediction engine of its own (rebuilt only when the source's
/// model changes), reusing one input and one output object, so a score allocates nothing; the rules when there
/// is no model. Not thread-safe: one per worker.
/// </summary>
public sealed class WorkerChurnScorer : IChurnScorer
{
    private readonly ChurnModelSource? _source;
    private readonly HeuristicChurnScorer _rules = new();
    private readonly ChurnModelInput _input = new();
    private ChurnModelOutput _output = new();
    private PredictionEngine<ChurnModelInput, ChurnModelOutput>? _engine;
    private ChurnModel? _model;
    private int _generation = -1;

    /// <summary>Scores with <paramref name="source"/>'s model (null: rules only).</summary>
    public WorkerChurnScorer(ChurnModelSource? source) => _source = source;

    /// <inheritdoc />
    public string Version => _model?.Info.Version ?? _rules.Version;

    /// <inheritdoc />
    public bool IsModel => _model is not null;

    /// <summary>Picks up a new model if the source has one; call before a round of scores.</summary>
    public void Sync()
    {
        if (_source is null) return;
        var generation = _source.Generation;
        if (generation == _generation) return;
        _generation = generation;
        var model = _source.Current;
        if (ReferenceEquals(model, _model)) return;
        _engine?.Dispose();
        if (model is null)
        {
            _engine = null;
        }
        else
        {
            // Workers swap at about the same moment; building engines from one MLContext is not documented as thread-safe.
            lock (_source.Context) _engine = _source.Context.Model.CreatePredictionEngine<ChurnModelInput, ChurnModelOutput>(model.Model);
        }
        _model = model;
    }

    /// <inheritdoc />
    public double Score(ReadOnlySpan<float> features)
    {
        if (_engine is null) return _rules.Score(features);
        features[..ChurnFeatures.Count].CopyTo(_input.Features);
        _engine.Predict(_input, ref _output);
        return _output.Probability;
    }
}
