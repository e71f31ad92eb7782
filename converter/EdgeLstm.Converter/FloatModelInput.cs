using EdgeLstm.Converter.Onnx;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Converter;

/// <summary>
/// The float model a conversion starts from: a safetensors file (PyTorch names, description in its metadata), or an
/// ONNX file with its model description beside it (<see cref="ConvertOptions.Description"/>).
/// </summary>
public sealed record FloatModelInput(FloatLstmModel Model, long FileLength, IReadOnlyDictionary<string, string> Metadata, string Format)
{
    public static FloatModelInput Read(ConvertOptions options)
    {
        if (OnnxModelImporter.IsOnnxPath(options.Input))
        {
            if (options.Description is null)
                throw new ArgumentException($"{Path.GetFileName(options.Input)}: an ONNX file has no vocabulary or labels; pass --description FILE (the model description, docs/onnx.md)");
            if (options.IgnoredTensors.Count > 0) throw new ArgumentException("--ignore-tensor is for safetensors input");
            var model = OnnxModelImporter.Import(options.Input, options.Description);
            return new FloatModelInput(model, new FileInfo(options.Input).Length, model.Metadata, "float32 ONNX");
        }
        if (options.Description is not null) throw new ArgumentException("--description is for ONNX input (a safetensors file carries its own)");
        var file = SafeTensorsReader.Read(options.Input);
        return new FloatModelInput(FloatLstmModel.FromSafeTensors(file, options.IgnoredTensors), file.FileLength, file.Metadata, "float32 safetensors");
    }
}
