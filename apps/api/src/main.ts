import './instrument';
import { bootstrapApi } from './bootstrap-api';

void bootstrapApi();
