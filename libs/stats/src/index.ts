export {
  percentile,
  percentiles,
  mean,
  spread,
  optionalSpread,
  type Percentiles,
  type Spread,
} from './statistics';
