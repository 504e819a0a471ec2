using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace UniAD.Lab.Web.Api;

/// <summary>One parameter of an operation: where it goes (path, query), its type, and whether it must be given.</summary>
public sealed record ApiParameter(string Name, string In, string Type, bool Required, string? Description);

/// <summary>One answer an operation gives: its status, what it means, and the schema or media type of its body.</summary>
public sealed record ApiAnswer(string Status, string Description, IReadOnlyList<string> Bodies);

/// <summary>One endpoint of the HTTP API as people read it.</summary>
public sealed record ApiOperation(string Tag, string Method, string Path, string? Summary, string? Description,
    IReadOnlyList<ApiParameter> Parameters, IReadOnlyList<string> RequestBodies, IReadOnlyList<ApiAnswer> Answers);

/// <summary>A schema of the document: a record the API takes or answers, with its properties and their types.</summary>
public sealed record ApiSchema(string Name, IReadOnlyList<(string Name, string Type)> Properties);

/// <summary>The API reference page's read model: the lab's own OpenAPI document (the one at /openapi/v1.json), read once
/// and flattened into operations by feature and the schemas they use.</summary>
public sealed class ApiReference([FromKeyedServices(ApiExtensions.DocumentName)] IOpenApiDocumentProvider documents)
{
    public sealed record Contents(string? Description, IReadOnlyList<ApiOperation> Operations, IReadOnlyList<ApiSchema> Schemas);

    private Contents? _contents;

    public async Task<Contents> LoadAsync(CancellationToken cancel = default) => _contents ??= Read(await documents.GetOpenApiDocumentAsync(cancel));

    private static Contents Read(OpenApiDocument document)
    {
        var operations = (from path in document.Paths
                          from operation in path.Value.Operations ?? []
                          select new ApiOperation(operation.Value.Tags?.FirstOrDefault()?.Name ?? "", operation.Key.Method, path.Key,
                              operation.Value.Summary, operation.Value.Description,
                              [.. (operation.Value.Parameters ?? []).Select(p => new ApiParameter(p.Name ?? "", p.In?.ToString().ToLowerInvariant() ?? "",
                                  TypeOf(p.Schema), p.Required, p.Description))],
                              [.. (operation.Value.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>()).Select(c => Body(c.Key, c.Value))],
                              [.. (operation.Value.Responses ?? []).Select(r => new ApiAnswer(r.Key, r.Value.Description ?? "",
                                  [.. (r.Value.Content ?? new Dictionary<string, OpenApiMediaType>()).Select(c => Body(c.Key, c.Value))]))]))
            .OrderBy(o => o.Tag, StringComparer.Ordinal).ThenBy(o => o.Path, StringComparer.Ordinal).ToList();
        var schemas = (document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
            .Select(s => new ApiSchema(s.Key, [.. (s.Value.Properties ?? new Dictionary<string, IOpenApiSchema>()).Select(p => (p.Key, TypeOf(p.Value)))]))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        return new Contents(document.Info?.Description, operations, schemas);
    }

    private static string Body(string mediaType, OpenApiMediaType media) => media.Schema is null ? mediaType : $"{TypeOf(media.Schema)} ({mediaType})";

    /// <summary>A schema as a type name: a referenced record by its name, an array by its items, else its JSON type.</summary>
    private static string TypeOf(IOpenApiSchema? schema) => schema switch
    {
        null => "",
        OpenApiSchemaReference reference => reference.Reference.Id ?? "object",
        { Type: { } type } when type.HasFlag(JsonSchemaType.Array) => $"{TypeOf(schema.Items)}[]",
        { Type: { } type } => string.Join(" | ", Enum.GetValues<JsonSchemaType>().Where(t => t != 0 && type.HasFlag(t)).Select(t => t.ToString().ToLowerInvariant()))
                              + (schema.Format is { } format ? $" ({format})" : ""),
        _ => "object",
    };
}
