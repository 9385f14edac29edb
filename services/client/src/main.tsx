import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Session } from './api/session';
import { UsersApi } from './api/users';
import { App } from './App';
import { AppProvider } from './app-context';
import { NoticeProvider } from './components/Notices';
import './styles.css';

const api = new UsersApi(new Session());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <NoticeProvider>
      <AppProvider api={api}>
        <App />
      </AppProvider>
    </NoticeProvider>
  </StrictMode>,
);
