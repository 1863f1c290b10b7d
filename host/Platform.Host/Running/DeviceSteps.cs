using Npgsql;
using Platform.Engine.Symbols;
using Platform.Host.Config;
using Platform.Host.Config.Steps;
using Platform.Operators.Enrichment;
using Platform.Operators.Geo;

namespace Platform.Host.Running;

/// <summary>
/// Opens what the enrich, geofence and location-fraud steps name: the device registry (loaded now, then refreshed
/// on file change or on a schedule without stopping the stream) and the GeoJSON files. Owned by the pipeline
/// assembly; disposing it stops the refreshes.
/// </summary>
internal sealed class DeviceSteps : IAsyncDisposable
{
    private DeviceSteps(DeviceSideSettings settings) => Settings = settings;

    /// <summary>What every worker's <see cref="DeviceSides"/> shares.</summary>
    public DeviceSideSettings Settings { get; }

    /// <summary>Null when the YAML names none of the three steps.</summary>
    /// <exception cref="InvalidOperationException">The registry or a GeoJSON file cannot be loaded.</exception>
    public static DeviceSteps? Create(PipelineConfig config, SymbolTable symbols, Action<string>? log)
    {
        var enrich = config.Steps.OfType<EnrichStepConfig>().FirstOrDefault();
        var geofence = config.Steps.OfType<GeofenceStepConfig>().FirstOrDefault();
        var fraud = config.Steps.OfType<LocationFraudStepConfig>().FirstOrDefault();
        if (enrich is null && geofence is null && fraud is null) return null;
        var registry = enrich is null ? null : OpenRegistry(enrich, symbols, log);
        try
        {
            var fences = geofence is null ? null : LoadFences(geofence.FullPath, symbols);
            var regions = fraud?.RegionsFullPath is not { } regionsPath ? null
                : regionsPath == geofence?.FullPath ? fences : LoadFences(regionsPath, symbols);
            return new DeviceSteps(new DeviceSideSettings(
                registry, enrich?.Policy ?? MissingKeyPolicy.PassThrough, enrich?.DefaultRow(symbols) ?? default, Sensor(enrich?.LimitsSensor, symbols),
                fences, geofence?.Options ?? new GeofenceOptions(), Sensor(geofence?.Sensor, symbols),
                fraud?.Options, regions, Sensor(fraud?.Sensor, symbols),
                symbols));
        }
        catch
        {
            registry?.Dispose();
            throw;
        }
    }

    private static Symbol Sensor(string? name, SymbolTable symbols) => name is null ? Symbol.None : symbols.Intern(name);

    private static GeofenceSet LoadFences(string path, SymbolTable symbols)
    {
        try
        {
            return GeofenceSet.Load(path, symbols);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"cannot read the GeoJSON file {path}: {e.Message}", e);
        }
    }

    private static RegistryHandle OpenRegistry(EnrichStepConfig enrich, SymbolTable symbols, Action<string>? log)
    {
        Func<DeviceRegistry> load;
        if (enrich.FullPath is { } path)
        {
            load = () => DeviceRegistry.LoadFile(path, symbols);
        }
        else
        {
            var connection = new NpgsqlConnectionStringBuilder(enrich.ConnectionString);
            if (enrich.PasswordEnv is { } variable)
            {
                connection.Password = Environment.GetEnvironmentVariable(variable)
                    ?? throw new InvalidOperationException($"the enrich step's password variable {variable} is not set");
            }
            var table = new PostgresRegistryTable(connection.ConnectionString, enrich.Schema, enrich.Table!);
            load = () => table.Load(symbols);
        }
        RegistryHandle handle;
        try
        {
            handle = new RegistryHandle(load);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot load the device registry ({enrich.Describe}): {e.Message}", e);
        }
        handle.Failed = e => log?.Invoke($"device registry refresh failed, the previous table stays in force: {e.Message}");
        switch (enrich.Refresh)
        {
            case RegistryRefresh.OnChange:
                handle.WatchFile(enrich.FullPath!);
                break;
            case RegistryRefresh.Interval:
                handle.RefreshEvery(enrich.Interval);
                break;
        }
        return handle;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Settings.Registry?.Dispose();
        return ValueTask.CompletedTask;
    }
}
