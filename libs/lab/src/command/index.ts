export { runLabCommand, createTarget, exitCodeOf, LAB_EXIT } from './run-lab-command';
export {
  parseLabArgs,
  LabUsageError,
  LAB_USAGE,
  type LabCommandOptions,
  type ParsedLabArgs,
} from './parse-lab-args';
