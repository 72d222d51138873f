export { LocalMarker, LocalMarkerArgs } from "./localMarker";
