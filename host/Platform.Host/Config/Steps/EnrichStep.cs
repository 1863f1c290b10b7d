using Platform.Engine.Symbols;
using Platform.Host.Config.Binding;
using Platform.Operators.Enrichment;

namespace Platform.Host.Config.Steps;

/// <summary>When the device registry is read again.</summary>
internal enum RegistryRefresh
{
    /// <summary>Whenever the registry file changes (files only).</summary>
    OnChange,
    /// <summary>Every <see cref="EnrichStepConfig.Interval"/>.</summary>
    Interval,
    /// <summary>Read once at start.</summary>
    None,
}

/// <summary>What happens to a record whose device is not in the registry (<c>on-missing</c>).</summary>
internal enum RegistryMissingKey
{
    /// <summary>Goes on without registry fields.</summary>
    Pass,
    /// <summary>Goes to the dead-letter queue, not to the windows.</summary>
    Dlq,
    /// <summary>Goes on with the default row (<c>default-owner</c>, <c>default-site</c>, <c>default-model</c>).</summary>
    Default,
}

/// <summary>
/// Device-registry join (<c>op: enrich</c>): each record's device gets owner, site, model and its own limits from a
/// CSV/JSON file or a PostgreSQL table, refreshed without a restart. The site feeds <c>location-fraud</c>'s regions;
/// a value outside the device's own limits is an alert; on-missing decides about unknown devices.
/// </summary>
/// <param name="File">Registry file as written (<c>file</c>: .csv or .json, relative to the pipeline file); null for a table.</param>
/// <param name="FullPath">That file resolved.</param>
/// <param name="ConnectionString">PostgreSQL connection string without password (<c>connection-string</c>); null for a file.</param>
/// <param name="PasswordEnv">Environment variable holding the password (<c>password-env</c>).</param>
/// <param name="Schema">Table schema (<c>schema</c>, default public).</param>
/// <param name="Table">Registry table (<c>table</c>).</param>
/// <param name="Refresh">on-change (files' default), none, or an interval (tables' default 1m).</param>
/// <param name="Interval">The interval when <paramref name="Refresh"/> is Interval, else zero.</param>
/// <param name="OnMissing">pass (default), dlq or default.</param>
/// <param name="DefaultOwner">Default row's owner.</param>
/// <param name="DefaultSite">Default row's site.</param>
/// <param name="DefaultModel">Default row's model.</param>
/// <param name="LimitsSensor">The sensor the registry's threshold_low/threshold_high apply to (<c>limits-sensor</c>; absent: every sensor).</param>
internal sealed record EnrichStepConfig(string? File, string? FullPath, string? ConnectionString, string? PasswordEnv, string Schema, string? Table,
    RegistryRefresh Refresh, TimeSpan Interval, RegistryMissingKey OnMissing, string? DefaultOwner, string? DefaultSite, string? DefaultModel,
    string? LimitsSensor) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "enrich";

    /// <inheritdoc/>
    public override string Op => OpName;

    /// <summary>The operator's policy.</summary>
    public MissingKeyPolicy Policy => OnMissing switch
    {
        RegistryMissingKey.Dlq => MissingKeyPolicy.DeadLetter,
        RegistryMissingKey.Default => MissingKeyPolicy.DefaultRow,
        _ => MissingKeyPolicy.PassThrough,
    };

    /// <summary>The default row, its names interned in <paramref name="symbols"/>.</summary>
    public DeviceInfo DefaultRow(SymbolTable symbols) => new()
    {
        Owner = DefaultOwner is null ? Symbol.None : symbols.Intern(DefaultOwner),
        Site = DefaultSite is null ? Symbol.None : symbols.Intern(DefaultSite),
        Model = DefaultModel is null ? Symbol.None : symbols.Intern(DefaultModel),
        ThresholdLow = double.NaN,
        ThresholdHigh = double.NaN,
    };

    /// <summary>"devices.csv" or "PostgreSQL table public.devices", for messages.</summary>
    public string Describe => File ?? $"PostgreSQL table {Schema}.{Table}";
}

/// <summary>Binds <c>op: enrich</c>.</summary>
internal static class EnrichStep
{
    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(EnrichStepConfig.OpName, [], Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(StepConfig config)
    {
        var e = (EnrichStepConfig)config;
        var pairs = new List<KeyValuePair<string, string>>();
        if (e.File is not null) pairs.Add(ConfigYaml.Pair("file", ConfigYaml.Text(e.File)));
        if (e.ConnectionString is not null)
        {
            pairs.Add(ConfigYaml.Pair("connection-string", ConfigYaml.Text(e.ConnectionString)));
            if (e.PasswordEnv is not null) pairs.Add(ConfigYaml.Pair("password-env", ConfigYaml.Text(e.PasswordEnv)));
            pairs.Add(ConfigYaml.Pair("schema", ConfigYaml.Text(e.Schema)));
            pairs.Add(ConfigYaml.Pair("table", ConfigYaml.Text(e.Table!)));
        }
        pairs.Add(ConfigYaml.Pair("refresh", e.Refresh == RegistryRefresh.Interval ? ConfigYaml.Duration(e.Interval) : ConfigYaml.Enum(e.Refresh)));
        pairs.Add(ConfigYaml.Pair("on-missing", ConfigYaml.Enum(e.OnMissing)));
        if (e.DefaultOwner is not null) pairs.Add(ConfigYaml.Pair("default-owner", ConfigYaml.Text(e.DefaultOwner)));
        if (e.DefaultSite is not null) pairs.Add(ConfigYaml.Pair("default-site", ConfigYaml.Text(e.DefaultSite)));
        if (e.DefaultModel is not null) pairs.Add(ConfigYaml.Pair("default-model", ConfigYaml.Text(e.DefaultModel)));
        if (e.LimitsSensor is not null) pairs.Add(ConfigYaml.Pair("limits-sensor", ConfigYaml.Text(e.LimitsSensor)));
        return pairs;
    }

    private static EnrichStepConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var file = reader.String("file");
        var connection = reader.String("connection-string");
        var passwordEnv = reader.String("password-env");
        var schema = reader.String("schema") ?? "public";
        var table = reader.String("table");
        string? fullPath = null;
        if (file is null && table is null)
        {
            reader.Context.Error(reader.Node, "enrich needs a registry: 'file' (a .csv or .json file) or 'table' (PostgreSQL)", "add 'file: devices.csv', or 'table: devices' with 'connection-string: Host=…'");
        }
        else if (file is not null && (table is not null || connection is not null))
        {
            reader.Context.Error(reader.Get("file"), "enrich takes either 'file' or 'table', not both", "keep one registry: a file, or a PostgreSQL table");
        }
        else if (file is not null)
        {
            fullPath = reader.Context.ResolveInput(file);
            CheckFile(reader, file, fullPath);
        }
        else
        {
            CheckTable(reader, connection, schema, table!);
        }
        var refresh = BindRefresh(reader, isFile: file is not null, out var interval);
        var onMissing = reader.Enum("on-missing", RegistryMissingKey.Pass);
        var owner = reader.String("default-owner");
        var site = reader.String("default-site");
        var model = reader.String("default-model");
        var limitsSensor = reader.String("limits-sensor");
        if (onMissing != RegistryMissingKey.Default && (owner ?? site ?? model) is not null)
        {
            var key = owner is not null ? "default-owner" : site is not null ? "default-site" : "default-model";
            reader.Context.Error(reader.Get(key), $"'{key}' is used only with 'on-missing: default'", "add 'on-missing: default' or remove the default-* fields");
        }
        return reader.Context.Errors.Count == errors
            ? new EnrichStepConfig(file, fullPath, connection, passwordEnv, schema, table, refresh, interval, onMissing, owner, site, model, limitsSensor)
            : null;
    }

    private static void CheckFile(MappingReader reader, string file, string fullPath)
    {
        var ext = Path.GetExtension(file).ToLowerInvariant();
        if (ext is not (".csv" or ".json"))
        {
            reader.Context.Error(reader.Get("file"), $"the registry file must be .csv or .json, got '{file}'", "a CSV with header device,owner,site,model[,threshold_low,threshold_high], or a JSON array of such objects");
            return;
        }
        if (!System.IO.File.Exists(fullPath))
        {
            reader.Context.Error(reader.Get("file"), $"registry file '{file}' does not exist (looked at {fullPath})", "a relative path resolves against the folder of the pipeline file");
            return;
        }
        try
        {
            // Read it now (into a throwaway symbol table), so a bad row is a validate error, not a failed start.
            DeviceRegistry.LoadFile(fullPath, new SymbolTable());
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            reader.Context.Error(reader.Get("file"), $"registry file '{file}' cannot be read: {e.Message}", "fix the file: CSV header device,owner,site,model[,threshold_low,threshold_high], numbers for thresholds");
        }
    }

    private static void CheckTable(MappingReader reader, string? connection, string schema, string table)
    {
        if (connection is null)
        {
            reader.Missing("connection-string", "Host=127.0.0.1;Port=5432;Username=platform;Database=fleet");
        }
        else if (connection.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            reader.Context.Error(reader.Get("connection-string"), "'connection-string' must not hold the password", "put the password in an environment variable and name it in 'password-env: FLEET_PG_PASSWORD'");
        }
        try
        {
            _ = new PostgresRegistryTable("Host=localhost", schema, table);
        }
        catch (ArgumentException e)
        {
            reader.Context.Error(reader.Get(e.ParamName == "schema" ? "schema" : "table"), e.Message.Split(" (Parameter")[0], "use letters, digits and '_', e.g. 'table: devices'");
        }
    }

    private static RegistryRefresh BindRefresh(MappingReader reader, bool isFile, out TimeSpan interval)
    {
        interval = TimeSpan.Zero;
        var node = reader.Get("refresh");
        var text = reader.String("refresh");
        if (text is null)
        {
            if (isFile || node is not null) return node is null ? RegistryRefresh.OnChange : RegistryRefresh.None;
            interval = TimeSpan.FromMinutes(1);
            return RegistryRefresh.Interval;
        }
        if (text == "on-change")
        {
            if (!isFile) reader.Context.Error(node, "'refresh: on-change' needs a registry file; a table is polled", "write an interval, e.g. 'refresh: 30s'");
            return RegistryRefresh.OnChange;
        }
        if (text == "none") return RegistryRefresh.None;
        if (ValueParsers.TryParseDuration(text, out interval) && interval >= TimeSpan.FromSeconds(1)) return RegistryRefresh.Interval;
        reader.Context.Error(node, $"'refresh' must be on-change, none or an interval of at least 1s, got '{text}'", isFile ? "write 'refresh: on-change' (the default for files) or e.g. 'refresh: 30s'" : "write e.g. 'refresh: 30s'");
        interval = TimeSpan.Zero;
        return RegistryRefresh.None;
    }
}
