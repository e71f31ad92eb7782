using System.Text.Json.Serialization;

namespace EdgeLstm.Runtime;

/// <summary>Source-generated JSON (no reflection), so the runtime stays NativeAOT- and trim-safe.</summary>
[JsonSourceGenerationOptions(RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(EdgeLstm.Runtime.Format.CompactModelMetadata))]
[JsonSerializable(typeof(ModelDescription))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
