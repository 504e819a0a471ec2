using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace UniAD.Core.Interop;

/// <summary>A mapping of the official YAML, read leniently where a key is absent and strictly where its value has the wrong
/// type: every refusal names the key by its path (<c>net[2].kwargs.hidden_dim</c>), so the user finds it in the file.</summary>
internal sealed record OfficialYamlNode(YamlMappingNode? Mapping, string Path)
{
    /// <summary>The root mapping of a YAML document.</summary>
    /// <exception cref="InvalidFileException">Not YAML, empty, or not a mapping.</exception>
    public static OfficialYamlNode Parse(string yaml)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return new OfficialYamlNode(stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                                        ?? throw new InvalidFileException("the YAML is empty or not a mapping"), "");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidFileException($"not valid YAML: {e.Message}");
        }
    }

    public bool Exists => Mapping is not null;

    private YamlNode? Value(string key) =>
        Mapping?.Children.TryGetValue(new YamlScalarNode(key), out var value) == true && !IsNull(value) ? value : null;

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" or "None" };

    private string Key(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public OfficialYamlNode Child(string key) => Value(key) switch
    {
        null => new OfficialYamlNode(null, Key(key)),
        YamlMappingNode map => new OfficialYamlNode(map, Key(key)),
        _ => throw new InvalidFileException($"{Key(key)} should be a mapping"),
    };

    public IEnumerable<OfficialYamlNode> Items(string key) => Value(key) switch
    {
        null => [],
        YamlSequenceNode list => list.Children.Select((item, i) => item as YamlMappingNode is { } map
            ? new OfficialYamlNode(map, $"{Key(key)}[{i}]") : throw new InvalidFileException($"{Key(key)}[{i}] should be a mapping")).ToList(),
        _ => throw new InvalidFileException($"{Key(key)} should be a list"),
    };

    public string? String(string key) => Value(key) switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidFileException($"{Key(key)} should be a single value"),
    };

    public double? Double(string key) => String(key) is { } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
          : throw new InvalidFileException($"{Key(key)} should be a number, not {text}")
        : null;

    public int? Int(string key) => String(key) is { } text
        ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
          : throw new InvalidFileException($"{Key(key)} should be a whole number, not {text}")
        : null;

    public bool? Bool(string key) => String(key) is { } text
        ? text.ToLowerInvariant() switch
        {
            "true" => true, "false" => false,
            _ => throw new InvalidFileException($"{Key(key)} should be True or False, not {text}"),
        }
        : null;

    private string[]? Scalars(string key) => Value(key) switch
    {
        null => null,
        YamlSequenceNode list => list.Children.Select(c => (c as YamlScalarNode)?.Value
            ?? throw new InvalidFileException($"{Key(key)} should be a list of values")).ToArray(),
        _ => throw new InvalidFileException($"{Key(key)} should be a list"),
    };

    public int[]? Ints(string key) => Scalars(key)?.Select(s => int.TryParse(s, CultureInfo.InvariantCulture, out var i) ? i
        : throw new InvalidFileException($"{Key(key)} should hold whole numbers, not {s}")).ToArray();

    public double[]? Doubles(string key) => Scalars(key)?.Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : throw new InvalidFileException($"{Key(key)} should hold numbers, not {s}")).ToArray();

    public bool[]? Bools(string key) => Scalars(key)?.Select(s => s.ToLowerInvariant() switch
    {
        "true" => true, "false" => false, _ => throw new InvalidFileException($"{Key(key)} should hold True or False, not {s}"),
    }).ToArray();
}
