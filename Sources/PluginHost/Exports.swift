// Configuration errors and places are part of PluginHost's API.
@_exported import LocatedYAML
